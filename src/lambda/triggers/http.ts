import { SpanKind, type Attributes } from '@opentelemetry/api';
import * as S from '../../telemetry/semconv.js';
import { isObj, obj, str, type Obj } from '../../util.js';
import type { EventDescription } from './description.js';
import { MAX_HEADER_VALUE, pickHeaders, type Carrier } from './headers.js';

/** What every HTTP trigger tells about its request, before it becomes span attributes. */
export interface HttpRequest {
  method: string | undefined;
  route?: string;
  path?: string;
  /** Lower-cased headers, the propagator's and the few we record. */
  headers: Carrier;
  host?: string;
  sourceIp?: string;
  protocol?: string;
  inferStatus200?: boolean;
}

/** The headers an HTTP span reads besides the propagator's. */
export const httpHeaderFields = (fields: readonly string[]): string[] => [...fields, 'host', 'user-agent', 'x-forwarded-proto', 'x-forwarded-port'];

/** API Gateway REST and HTTP APIs, Function URLs and ALB: a SERVER span named `{method} {route}`. */
export function httpDescription(event: Obj, fields: readonly string[]): EventDescription | undefined {
  const rc = obj(event.requestContext);
  const http = obj(rc?.http);
  const wanted = httpHeaderFields(fields);
  if (event.version === '2.0' && http) {
    // HTTP API (payload 2.0) and Function URLs share this shape; URLs use the `$default` route key.
    const routeKey = str(event.routeKey);
    return serverDescription(
      {
        method: str(http.method),
        path: str(http.path) ?? str(event.rawPath),
        route: routeKey && routeKey !== '$default' ? routeKey.slice(routeKey.indexOf(' ') + 1) : undefined,
        headers: pickHeaders(wanted, event.headers) ?? {},
        host: str(rc?.domainName),
        sourceIp: str(http.sourceIp),
        protocol: str(http.protocol),
        inferStatus200: true,
      },
      fields,
    );
  }
  if (str(event.httpMethod) && (rc || isObj(event.headers) || isObj(event.multiValueHeaders))) {
    // REST API (payload 1.0) and ALB; ALB has no route template.
    return serverDescription(
      {
        method: str(event.httpMethod),
        path: str(event.path),
        route: obj(rc?.elb) ? undefined : (str(event.resource) ?? str(rc?.resourcePath)),
        headers: pickHeaders(wanted, event.headers, event.multiValueHeaders) ?? {},
        host: str(rc?.domainName),
        sourceIp: str(obj(rc?.identity)?.sourceIp),
        protocol: str(rc?.protocol),
      },
      fields,
    );
  }
  return undefined;
}

/** The SERVER span of an HTTP request: `faas.trigger=http`, the HTTP attributes, and the propagator's headers. */
export function serverDescription(request: HttpRequest, fields: readonly string[]): EventDescription | undefined {
  if (!request.method) return undefined;
  const method = request.method.toUpperCase();
  const all = request.headers;
  const attributes: Attributes = {
    [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_HTTP,
    [S.ATTR_HTTP_REQUEST_METHOD]: method,
  };
  const { route, path } = request;
  if (route) attributes[S.ATTR_HTTP_ROUTE] = route;
  if (path) attributes[S.ATTR_URL_PATH] = path.length > MAX_HEADER_VALUE ? path.slice(0, MAX_HEADER_VALUE) : path;
  const scheme = all['x-forwarded-proto']?.split(',')[0]?.trim();
  if (scheme) attributes[S.ATTR_URL_SCHEME] = scheme;
  const host = request.host ?? all.host;
  if (host) attributes[S.ATTR_SERVER_ADDRESS] = host;
  const port = Number(all['x-forwarded-port']?.split(',')[0]);
  if (Number.isInteger(port) && port > 0 && port < 65536) attributes[S.ATTR_SERVER_PORT] = port;
  if (all['user-agent']) attributes[S.ATTR_USER_AGENT_ORIGINAL] = all['user-agent'];
  if (request.sourceIp) attributes[S.ATTR_CLIENT_ADDRESS] = request.sourceIp;
  const version = request.protocol?.match(/^HTTP\/(\d(?:\.\d)?)$/i)?.[1];
  if (version) attributes[S.ATTR_NETWORK_PROTOCOL_VERSION] = version;
  const headers: Carrier = {};
  for (const f of fields) if (all[f] !== undefined) headers[f] = all[f]!;
  return {
    kind: SpanKind.SERVER,
    name: route ? `${method} ${route}` : method,
    attributes,
    headers,
    inferStatus200: request.inferStatus200 === true,
  };
}
