import type { Attributes } from '@opentelemetry/api';
import * as S from '../../telemetry/semconv.js';
import { isObj, obj, str, type Obj } from '../../util.js';
import { MAX_RECORDS, type EventDescription } from './description.js';
import { MAX_HEADER_VALUE, pickHeaders, type Carrier } from './headers.js';
import { consumer } from './messaging.js';

/**
 * Broker event sources: Kafka (Amazon MSK, `aws:kafka`, and self-managed, `SelfManagedKafka`), Amazon MQ for
 * ActiveMQ (`aws:mq`) and for RabbitMQ (`aws:rmq`). Records come grouped by partition or queue; the first group
 * names the destination, every record counts, and each record's headers may carry its producer's context.
 */
export function brokerDescription(event: Obj, fields: readonly string[]): EventDescription | undefined {
  const source = event.eventSource;
  if (source === 'aws:kafka' || source === 'SelfManagedKafka') return kafka(event, fields);
  if (source === 'aws:mq' && Array.isArray(event.messages)) return activeMq(event.messages, fields);
  if (source === 'aws:rmq') return rabbitMq(event, fields);
  return undefined;
}

/** Record groups (`records` by `topic-partition`, `rmqMessagesByQueue` by `queue::vhost`), flattened, bounded. */
function grouped(groups: unknown): { first: string | undefined; records: Obj[]; count: number } {
  const out: Obj[] = [];
  let count = 0;
  let first: string | undefined;
  if (!isObj(groups)) return { first, records: out, count };
  for (const key in groups) {
    const list = groups[key];
    if (!Array.isArray(list)) continue;
    first ??= key;
    count += list.length;
    for (const r of list) if (out.length < MAX_RECORDS && isObj(r)) out.push(r);
  }
  return { first, records: out, count };
}

/** Bytes as Lambda gives them for Kafka and RabbitMQ headers: an array of byte values. */
function decodeBytes(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const bytes = Array.isArray(value) ? value : isObj(value) && Array.isArray(value.bytes) ? value.bytes : undefined;
  if (!bytes || bytes.length > MAX_HEADER_VALUE || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) return undefined;
  return Buffer.from(bytes as number[]).toString('utf8');
}

/** Kafka record headers: a list of one-key objects, `[{ traceparent: [48, 48, ...] }]`. */
function kafkaCarrier(headers: unknown, fields: readonly string[]): Carrier | undefined {
  if (!Array.isArray(headers)) return undefined;
  const flat: Record<string, string> = {};
  for (const h of headers.slice(0, 64)) {
    if (!isObj(h)) continue;
    for (const key in h) {
      if (!fields.includes(key.toLowerCase())) continue;
      const value = decodeBytes(h[key]);
      if (value !== undefined) flat[key] = value;
    }
  }
  return pickHeaders(fields, flat);
}

function kafka(event: Obj, fields: readonly string[]): EventDescription {
  const { records, count } = grouped(event.records);
  const first = records[0];
  const attributes: Attributes = { [S.ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: count };
  if (count === 1 && first) {
    if (typeof first.partition === 'number') attributes[S.ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(first.partition);
    if (typeof first.offset === 'number') attributes[S.ATTR_MESSAGING_KAFKA_OFFSET] = first.offset;
  }
  const carriers = records.map((r) => kafkaCarrier(r.headers, fields));
  return consumer(S.MESSAGING_SYSTEM_KAFKA, str(first?.topic), undefined, attributes, carriers);
}

function activeMq(messages: unknown[], fields: readonly string[]): EventDescription {
  const records = messages.slice(0, MAX_RECORDS).map((m) => obj(m));
  const first = records[0];
  const attributes: Attributes = { [S.ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: messages.length };
  const carriers = records.map((r) => pickHeaders(fields, r?.properties));
  const id = messages.length === 1 ? str(first?.messageID) : undefined;
  return consumer(S.MESSAGING_SYSTEM_ACTIVEMQ, str(obj(first?.destination)?.physicalName), id, attributes, carriers);
}

function rabbitMq(event: Obj, fields: readonly string[]): EventDescription {
  const { first, records, count } = grouped(event.rmqMessagesByQueue);
  const attributes: Attributes = { [S.ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: count };
  const carriers = records.map((r) => rabbitCarrier(r, fields));
  const id = count === 1 ? str(obj(records[0]?.basicProperties)?.messageId) : undefined;
  return consumer(S.MESSAGING_SYSTEM_RABBITMQ, first?.split('::')[0], id, attributes, carriers);
}

/** RabbitMQ headers: any case, values as strings or `{ bytes }`. */
function rabbitCarrier(record: Obj, fields: readonly string[]): Carrier | undefined {
  const headers = obj(obj(record.basicProperties)?.headers);
  if (!headers) return undefined;
  const flat: Record<string, string> = {};
  for (const f of fields) {
    const key = Object.keys(headers)
      .slice(0, 512)
      .find((k) => k.toLowerCase() === f);
    const value = key === undefined ? undefined : decodeBytes(headers[key]);
    if (value !== undefined) flat[f] = value;
  }
  return pickHeaders(fields, flat);
}

export interface BrokerRecord {
  carrier: Carrier | undefined;
  name: string;
  attributes: Attributes;
}

/**
 * One Kafka, ActiveMQ or RabbitMQ record as `traceRecord` gets it (the records carry no `eventSource` of their
 * own, so they are told by their shape): its producer's carrier, and its span's name and attributes. A RabbitMQ
 * record does not name its queue (the group key does), so its span is plain `process` unless named.
 */
export function brokerRecord(record: unknown, fields: readonly string[]): BrokerRecord | undefined {
  if (!isObj(record)) return undefined;
  const attributes: Attributes = { [S.ATTR_MESSAGING_OPERATION_TYPE]: 'process', [S.ATTR_MESSAGING_OPERATION_NAME]: 'process' };
  const topic = str(record.topic);
  if (topic !== undefined && typeof record.partition === 'number' && 'offset' in record) {
    Object.assign(attributes, {
      [S.ATTR_MESSAGING_SYSTEM]: S.MESSAGING_SYSTEM_KAFKA,
      [S.ATTR_MESSAGING_DESTINATION_NAME]: topic,
      [S.ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(record.partition),
    });
    if (typeof record.offset === 'number') attributes[S.ATTR_MESSAGING_KAFKA_OFFSET] = record.offset;
    return { carrier: kafkaCarrier(record.headers, fields), name: `process ${topic}`, attributes };
  }
  const destination = obj(record.destination);
  if (destination && 'messageID' in record) {
    const queue = str(destination.physicalName);
    attributes[S.ATTR_MESSAGING_SYSTEM] = S.MESSAGING_SYSTEM_ACTIVEMQ;
    if (queue) attributes[S.ATTR_MESSAGING_DESTINATION_NAME] = queue;
    if (str(record.messageID)) attributes[S.ATTR_MESSAGING_MESSAGE_ID] = str(record.messageID);
    return { carrier: pickHeaders(fields, record.properties), name: queue ? `process ${queue}` : 'process', attributes };
  }
  const properties = obj(record.basicProperties);
  if (properties) {
    attributes[S.ATTR_MESSAGING_SYSTEM] = S.MESSAGING_SYSTEM_RABBITMQ;
    if (str(properties.messageId)) attributes[S.ATTR_MESSAGING_MESSAGE_ID] = str(properties.messageId);
    return { carrier: rabbitCarrier(record, fields), name: 'process', attributes };
  }
  return undefined;
}
