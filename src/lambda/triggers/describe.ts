import { SpanKind, type Attributes } from '@opentelemetry/api';
import * as S from '../../telemetry/semconv.js';
import { isObj, obj, str, type Obj } from '../../util.js';

/** Header values past this size are ignored: no valid trace header is that long, and copying it costs. */
const MAX_HEADER_VALUE = 8192;
/** How many keys of a headers object we look at; a hostile event may carry thousands. */
const MAX_HEADER_KEYS = 512;
/** How many records of a batch we read producer contexts from (the SDK keeps 128 links by default). */
export const MAX_RECORDS = 128;

export type Carrier = Record<string, string>;

/** What the invocation span is made from: kind, name and attributes, plus where producer contexts may be found. */
export interface EventDescription {
  kind: SpanKind;
  name: string;
  attributes: Attributes;
  /** Lower-cased headers of an HTTP trigger or a direct invoke, only the keys the propagator reads. */
  headers?: Carrier;
  /** One carrier per queue/topic record, in record order (absent entries for records that carry none). */
  messages?: (Carrier | undefined)[];
  /** API Gateway HTTP API / Function URL: a result without `statusCode` still means 200. */
  inferStatus200?: boolean;
}


/** Copies the wanted headers, matching names in any case; `multiValueHeaders` (ALB, REST) join with commas. */
export function pickHeaders(fields: readonly string[], headers: unknown, multi?: unknown): Carrier | undefined {
  const out: Carrier = {};
  let found = false;
  const take = (source: unknown, multiValue: boolean) => {
    if (!isObj(source)) return;
    let seen = 0;
    for (const key in source) {
      if (++seen > MAX_HEADER_KEYS) break;
      const name = key.toLowerCase();
      if (!fields.includes(name) || name in out) continue;
      const raw = source[key];
      const value = multiValue
        ? Array.isArray(raw) && raw.every((v) => typeof v === 'string')
          ? raw.join(',')
          : undefined
        : raw;
      if (typeof value === 'string' && value.length <= MAX_HEADER_VALUE) {
        out[name] = value;
        found = true;
      }
    }
  };
  take(multi, true);
  take(headers, false);
  return found ? out : undefined;
}

function lastArnPart(arn: unknown): string | undefined {
  const s = str(arn);
  return s?.slice(s.lastIndexOf(':') + 1) || undefined;
}

function httpDescription(event: Obj, fields: readonly string[]): EventDescription | undefined {
  const rc = obj(event.requestContext);
  const http = obj(rc?.http);
  let method: string | undefined;
  let route: string | undefined;
  let path: string | undefined;
  let sourceIp: string | undefined;
  let protocol: string | undefined;
  let inferStatus200 = false;
  if (event.version === '2.0' && http) {
    // HTTP API (payload 2.0) and Function URLs share this shape; URLs use the `$default` route key.
    method = str(http.method);
    path = str(http.path) ?? str(event.rawPath);
    sourceIp = str(http.sourceIp);
    protocol = str(http.protocol);
    const routeKey = str(event.routeKey);
    if (routeKey && routeKey !== '$default') route = routeKey.slice(routeKey.indexOf(' ') + 1);
    inferStatus200 = true;
  } else if (str(event.httpMethod) && (rc || isObj(event.headers) || isObj(event.multiValueHeaders))) {
    // REST API (payload 1.0) and ALB; ALB has no route template.
    method = str(event.httpMethod);
    path = str(event.path);
    if (!obj(rc?.elb)) route = str(event.resource) ?? str(rc?.resourcePath);
    const identity = obj(rc?.identity);
    sourceIp = str(identity?.sourceIp);
    protocol = str(rc?.protocol);
  } else {
    return undefined;
  }
  if (!method) return undefined;
  method = method.toUpperCase();
  const wanted = [...fields, 'host', 'user-agent', 'x-forwarded-proto', 'x-forwarded-port'];
  const all = pickHeaders(wanted, event.headers, event.multiValueHeaders) ?? {};
  const attributes: Attributes = {
    [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_HTTP,
    [S.ATTR_HTTP_REQUEST_METHOD]: method,
  };
  if (route) attributes[S.ATTR_HTTP_ROUTE] = route;
  if (path) attributes[S.ATTR_URL_PATH] = path.length > MAX_HEADER_VALUE ? path.slice(0, MAX_HEADER_VALUE) : path;
  const scheme = all['x-forwarded-proto']?.split(',')[0]?.trim();
  if (scheme) attributes[S.ATTR_URL_SCHEME] = scheme;
  const host = str(rc?.domainName) ?? all.host;
  if (host) attributes[S.ATTR_SERVER_ADDRESS] = host;
  const port = Number(all['x-forwarded-port']?.split(',')[0]);
  if (Number.isInteger(port) && port > 0 && port < 65536) attributes[S.ATTR_SERVER_PORT] = port;
  if (all['user-agent']) attributes[S.ATTR_USER_AGENT_ORIGINAL] = all['user-agent'];
  if (sourceIp) attributes[S.ATTR_CLIENT_ADDRESS] = sourceIp;
  const version = protocol?.match(/^HTTP\/(\d(?:\.\d)?)$/i)?.[1];
  if (version) attributes[S.ATTR_NETWORK_PROTOCOL_VERSION] = version;
  const headers: Carrier = {};
  for (const f of fields) if (all[f] !== undefined) headers[f] = all[f]!;
  return {
    kind: SpanKind.SERVER,
    name: route ? `${method} ${route}` : method,
    attributes,
    headers,
    inferStatus200,
  };
}

function sqsCarrier(record: Obj, fields: readonly string[]): Carrier | undefined {
  const attrs = obj(record.messageAttributes);
  const out: Carrier = {};
  let found = false;
  if (attrs) {
    for (const f of fields) {
      for (const key in attrs) {
        if (key.toLowerCase() !== f) continue;
        const v = obj(attrs[key])?.stringValue;
        if (typeof v === 'string' && v.length <= MAX_HEADER_VALUE) {
          out[f] = v;
          found = true;
        }
      }
    }
  }
  if (found) return out;
  // SNS → SQS without raw delivery: the SNS envelope, with its message attributes, is the body.
  const body = record.body;
  if (typeof body === 'string' && body.length < 262_144 && body.includes('"MessageAttributes"') && body.includes(fields[0] ?? 'traceparent')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (isObj(parsed)) return snsCarrier(parsed, fields);
    } catch {
      // Not JSON: an ordinary body that happens to mention the words.
    }
  }
  return undefined;
}

function snsCarrier(message: Obj, fields: readonly string[]): Carrier | undefined {
  const attrs = obj(message.MessageAttributes);
  if (!attrs) return undefined;
  const out: Carrier = {};
  let found = false;
  for (const key in attrs) {
    const f = key.toLowerCase();
    if (!fields.includes(f)) continue;
    const v = obj(attrs[key])?.Value;
    if (typeof v === 'string' && v.length <= MAX_HEADER_VALUE) {
      out[f] = v;
      found = true;
    }
  }
  return found ? out : undefined;
}

/** Our producer helper writes `detail._otel`; a flat `detail.traceparent` is read too. */
export const EVENTBRIDGE_CARRIER_KEY = '_otel';

function eventBridgeCarrier(detail: unknown, fields: readonly string[]): Carrier | undefined {
  const d = obj(detail);
  if (!d) return undefined;
  return pickHeaders(fields, obj(d[EVENTBRIDGE_CARRIER_KEY])) ?? pickHeaders(fields, d);
}

/** A CONSUMER invocation of a queue or topic: `process {destination}`, per the messaging conventions. */
function consumer(system: string, destination: string | undefined, messageId: string | undefined, attributes: Attributes, messages: (Carrier | undefined)[]): EventDescription {
  Object.assign(attributes, {
    [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_PUBSUB,
    [S.ATTR_MESSAGING_SYSTEM]: system,
    [S.ATTR_MESSAGING_OPERATION_TYPE]: 'process',
    [S.ATTR_MESSAGING_OPERATION_NAME]: 'process',
  });
  if (destination) attributes[S.ATTR_MESSAGING_DESTINATION_NAME] = destination;
  if (messageId) attributes[S.ATTR_MESSAGING_MESSAGE_ID] = messageId;
  return { kind: SpanKind.CONSUMER, name: destination ? `process ${destination}` : 'process', attributes, messages };
}

function recordsDescription(records: unknown[], fields: readonly string[]): EventDescription | undefined {
  const first = obj(records[0]);
  if (!first) return undefined;
  const source = str(first.eventSource) ?? str(first.EventSource);
  const sample = records.slice(0, MAX_RECORDS);
  const attributes: Attributes = { [S.ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: records.length };
  if (source === 'aws:sqs') {
    const queue = lastArnPart(first.eventSourceARN);
    return consumer(S.MESSAGING_SYSTEM_SQS, queue, records.length === 1 ? str(first.messageId) : undefined, attributes, sample.map((r) => (isObj(r) ? sqsCarrier(r, fields) : undefined)));
  }
  if (source === 'aws:sns') {
    const sns = obj(first.Sns);
    const messages = sample.map((r) => {
      const m = isObj(r) ? obj(r.Sns) : undefined;
      return m ? snsCarrier(m, fields) : undefined;
    });
    return consumer(S.MESSAGING_SYSTEM_SNS, lastArnPart(sns?.TopicArn), records.length === 1 ? str(sns?.MessageId) : undefined, attributes, messages);
  }
  if (source === 'aws:kinesis') {
    return { kind: SpanKind.CONSUMER, name: 'process', attributes: { [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_PUBSUB } };
  }
  if (source === 'aws:s3' || source === 'aws:dynamodb') {
    return { kind: SpanKind.SERVER, name: '', attributes: { [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_DATASOURCE } };
  }
  return undefined;
}

/**
 * Classifies a Lambda event by its shape. Never throws on any input: every field is type-checked before use, so
 * a null, a string or a hostile object falls through to a plain `other` invocation.
 */
export function describeEvent(event: unknown, fields: readonly string[], fnName: string): EventDescription {
  const fallback: EventDescription = {
    kind: SpanKind.SERVER,
    name: fnName,
    attributes: { [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_OTHER },
  };
  if (!isObj(event)) return fallback;
  const described =
    httpDescription(event, fields) ??
    (Array.isArray(event.Records) && event.Records.length > 0 ? recordsDescription(event.Records, fields) : undefined) ??
    eventBridgeDescription(event, fields);
  if (described) {
    if (!described.name) described.name = fnName;
    return described;
  }
  // A direct invoke that carries a `headers` object (our own convention and several frameworks').
  const headers = pickHeaders(fields, event.headers);
  return headers ? { ...fallback, headers } : fallback;
}

function eventBridgeDescription(event: Obj, fields: readonly string[]): EventDescription | undefined {
  const detailType = str(event['detail-type']);
  const source = str(event.source);
  if (!detailType || !source || !('detail' in event)) return undefined;
  if (source === 'aws.events' && detailType === 'Scheduled Event') {
    return { kind: SpanKind.SERVER, name: '', attributes: { [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_TIMER } };
  }
  const attributes: Attributes = {
    [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_PUBSUB,
    [S.ATTR_MESSAGING_SYSTEM]: S.MESSAGING_SYSTEM_EVENTBRIDGE,
    [S.ATTR_MESSAGING_OPERATION_TYPE]: 'process',
    [S.ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [S.ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: 1,
  };
  if (str(event.id)) attributes[S.ATTR_MESSAGING_MESSAGE_ID] = str(event.id);
  return {
    kind: SpanKind.CONSUMER,
    name: `process ${source}`,
    attributes,
    messages: [eventBridgeCarrier(event.detail, fields)],
  };
}

/** The producer context a single record carries: an SQS record, an SNS record, or an EventBridge event. */
export function recordCarrier(record: unknown, fields: readonly string[]): Carrier | undefined {
  if (!isObj(record)) return undefined;
  if (record.eventSource === 'aws:sqs') return sqsCarrier(record, fields);
  const sns = obj(record.Sns);
  if (sns) return snsCarrier(sns, fields);
  if ('detail' in record) return eventBridgeCarrier(record.detail, fields);
  return undefined;
}

/** Messaging attributes of a single record, for its own processing span. */
export function recordAttributes(record: unknown): { name: string; attributes: Attributes } {
  const attributes: Attributes = { [S.ATTR_MESSAGING_OPERATION_TYPE]: 'process', [S.ATTR_MESSAGING_OPERATION_NAME]: 'process' };
  let destination: string | undefined;
  if (isObj(record) && record.eventSource === 'aws:sqs') {
    attributes[S.ATTR_MESSAGING_SYSTEM] = S.MESSAGING_SYSTEM_SQS;
    destination = lastArnPart(record.eventSourceARN);
    if (str(record.messageId)) attributes[S.ATTR_MESSAGING_MESSAGE_ID] = str(record.messageId);
  } else if (isObj(record) && obj(record.Sns)) {
    const sns = obj(record.Sns)!;
    attributes[S.ATTR_MESSAGING_SYSTEM] = S.MESSAGING_SYSTEM_SNS;
    destination = lastArnPart(sns.TopicArn);
    if (str(sns.MessageId)) attributes[S.ATTR_MESSAGING_MESSAGE_ID] = str(sns.MessageId);
  } else if (isObj(record) && 'detail' in record) {
    attributes[S.ATTR_MESSAGING_SYSTEM] = S.MESSAGING_SYSTEM_EVENTBRIDGE;
    if (str(record.id)) attributes[S.ATTR_MESSAGING_MESSAGE_ID] = str(record.id);
    const source = str(record.source);
    return { name: source ? `process ${source}` : 'process', attributes };
  }
  if (destination) attributes[S.ATTR_MESSAGING_DESTINATION_NAME] = destination;
  return { name: destination ? `process ${destination}` : 'process', attributes };
}
