import { SpanKind, type Attributes } from '@opentelemetry/api';
import * as S from '../../telemetry/semconv.js';
import { isObj, obj, str, type Obj } from '../../util.js';
import { lastArnPart, type EventDescription } from './description.js';
import { MAX_HEADER_VALUE, pickHeaders, type Carrier } from './headers.js';

/** Producer contexts and messaging attributes of SQS, SNS and EventBridge, for the invocation and per record. */

export function sqsCarrier(record: Obj, fields: readonly string[]): Carrier | undefined {
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

/** The X-Ray header an X-Ray-traced producer put on an SQS message (`attributes.AWSTraceHeader`). */
export function sqsXRayHeader(record: unknown): string | undefined {
  return isObj(record) ? str(obj(record.attributes)?.AWSTraceHeader) : undefined;
}

export function snsCarrier(message: Obj, fields: readonly string[]): Carrier | undefined {
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
export function consumer(
  system: string,
  destination: string | undefined,
  messageId: string | undefined,
  attributes: Attributes,
  messages: (Carrier | undefined)[],
): EventDescription {
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

export function eventBridgeDescription(event: Obj, fields: readonly string[]): EventDescription | undefined {
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
