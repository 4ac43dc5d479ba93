import { SpanKind } from '@opentelemetry/api';
import * as S from '../../telemetry/semconv.js';
import { isObj, obj, str, type Obj } from '../../util.js';
import type { EventDescription } from './description.js';
import { pickListHeaders } from './headers.js';
import { httpDescription, httpHeaderFields, serverDescription } from './http.js';

/**
 * HTTP triggers beyond API Gateway and ALB: Lambda@Edge (CloudFront), VPC Lattice (event structure v1 and v2),
 * and API Gateway authorizers, whose answer is a policy, not an HTTP response.
 */

/** Lambda@Edge: one record whose `cf.request` is the viewer's or origin's request; headers are `{ key, value }` lists. */
export function cloudFrontDescription(record: Obj, fields: readonly string[]): EventDescription | undefined {
  const cf = obj(record.cf);
  const request = obj(cf?.request);
  if (!request) return undefined;
  return serverDescription(
    {
      method: str(request.method),
      path: str(request.uri),
      headers: pickListHeaders(httpHeaderFields(fields), request.headers) ?? {},
      host: str(obj(cf?.config)?.distributionDomainName),
      sourceIp: str(request.clientIp),
    },
    fields,
  );
}

/** VPC Lattice: v2 (`version: "2.0"`, `path`, `requestContext.serviceArn`) and v1 (`raw_path`, snake case). */
export function latticeDescription(event: Obj, fields: readonly string[]): EventDescription | undefined {
  const rc = obj(event.requestContext);
  const v2 = event.version === '2.0' && typeof rc?.serviceNetworkArn === 'string';
  const v1 = typeof event.raw_path === 'string' && 'is_base64_encoded' in event;
  if (!v2 && !v1) return undefined;
  const rawPath = v2 ? str(event.path) : str(event.raw_path);
  return serverDescription(
    {
      method: str(event.method),
      // v1's raw path carries the query string, which is never recorded.
      path: rawPath?.split('?')[0],
      headers: pickListHeaders(httpHeaderFields(fields), event.headers) ?? {},
    },
    fields,
  );
}

/**
 * API Gateway authorizers: REST `TOKEN` (only a `methodArn`, whose tail is `{stage}/{method}/{path}`) and
 * `REQUEST`, and HTTP API request authorizers (payload 1.0 and 2.0). The request is described as HTTP; the
 * answer never sets a status code. The token itself is never read.
 */
export function authorizerDescription(event: Obj, fields: readonly string[]): EventDescription | undefined {
  const arn = str(event.methodArn) ?? str(event.routeArn);
  if ((event.type !== 'TOKEN' && event.type !== 'REQUEST') || !arn) return undefined;
  let described: EventDescription | undefined;
  if (event.type === 'REQUEST' && (isObj(event.requestContext) || isObj(event.headers))) described = httpDescription(event, fields);
  if (!described) {
    const [, , method, ...path] = arn.slice(arn.lastIndexOf(':') + 1).split('/');
    described = serverDescription(
      { method: method && method !== '*' ? method : undefined, path: path.length ? `/${path.join('/')}` : undefined, headers: {} },
      fields,
    );
  }
  described ??= { kind: SpanKind.SERVER, name: '', attributes: { [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_HTTP } };
  return { ...described, inferStatus200: false, authorizer: true };
}
