import { SpanKind, type Attributes } from '@opentelemetry/api';
import * as S from '../../telemetry/semconv.js';
import { isObj, obj, str, type Obj } from '../../util.js';
import { MAX_RECORDS, lastArnPart, type EventDescription } from './description.js';
import { consumer, snsCarrier, sqsCarrier, sqsXRayHeader } from './messaging.js';

/** `Records` events: SQS, SNS and Kinesis as CONSUMER spans, S3 and DynamoDB streams as datasource spans. */
export function recordsDescription(records: unknown[], fields: readonly string[]): EventDescription | undefined {
  const first = obj(records[0]);
  if (!first) return undefined;
  const source = str(first.eventSource) ?? str(first.EventSource);
  const sample = records.slice(0, MAX_RECORDS);
  const attributes: Attributes = { [S.ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: records.length };
  if (source === 'aws:sqs') {
    const queue = lastArnPart(first.eventSourceARN);
    const carriers = sample.map((r) => (isObj(r) ? sqsCarrier(r, fields) : undefined));
    const described = consumer(S.MESSAGING_SYSTEM_SQS, queue, records.length === 1 ? str(first.messageId) : undefined, attributes, carriers);
    return { ...described, xray: sample.map(sqsXRayHeader) };
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
  if (source === 'aws:s3') return datasource(s3Document(first));
  if (source === 'aws:dynamodb') return datasource(dynamoDocument(first));
  return undefined;
}

interface DocumentChange {
  collection?: string;
  operation?: string;
  name?: string;
  time?: string;
}

/** A datasource invocation: the FaaS conventions' `faas.document.*`, from the first record of the batch. */
function datasource(doc: DocumentChange): EventDescription {
  const attributes: Attributes = { [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_DATASOURCE };
  if (doc.collection) attributes[S.ATTR_FAAS_DOCUMENT_COLLECTION] = doc.collection;
  if (doc.operation) attributes[S.ATTR_FAAS_DOCUMENT_OPERATION] = doc.operation;
  if (doc.name) attributes[S.ATTR_FAAS_DOCUMENT_NAME] = doc.name;
  if (doc.time) attributes[S.ATTR_FAAS_DOCUMENT_TIME] = doc.time;
  return { kind: SpanKind.SERVER, name: '', attributes };
}

/** S3 notifications: the bucket, `ObjectCreated:*` as insert and `ObjectRemoved:*` as delete, the decoded key. */
function s3Document(record: Obj): DocumentChange {
  const s3 = obj(record.s3);
  const event = str(record.eventName);
  const family = event?.split(':')[0];
  const operation = family === 'ObjectCreated' ? 'insert' : family === 'ObjectRemoved' ? 'delete' : event;
  const key = str(obj(s3?.object)?.key);
  return { collection: str(obj(s3?.bucket)?.name), operation, name: key === undefined ? undefined : decodeKey(key), time: isoTime(record.eventTime) };
}

/** S3 URL-encodes object keys in events, spaces as `+`. */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

const DYNAMO_OPERATIONS: Record<string, string> = { INSERT: 'insert', MODIFY: 'edit', REMOVE: 'delete' };

/** DynamoDB streams: the table (from the stream ARN), INSERT/MODIFY/REMOVE, the item's key values, the change time. */
function dynamoDocument(record: Obj): DocumentChange {
  const table = str(record.eventSourceARN)?.match(/:table\/([^/]+)/)?.[1];
  const event = str(record.eventName);
  const change = obj(record.dynamodb);
  const keys = obj(change?.Keys);
  const values = keys
    ? Object.keys(keys)
        .slice(0, 2)
        .map((k) => scalar(obj(keys[k])))
    : [];
  const seconds = change?.ApproximateCreationDateTime;
  return {
    collection: table,
    operation: event && Object.hasOwn(DYNAMO_OPERATIONS, event) ? DYNAMO_OPERATIONS[event] : event?.toLowerCase(),
    name: values.length && values.every((v) => v !== undefined) ? values.join('/') : undefined,
    time: typeof seconds === 'number' && Number.isFinite(seconds) ? isoTime(seconds * 1000) : undefined,
  };
}

function scalar(value: Obj | undefined): string | undefined {
  const v = value?.S ?? value?.N ?? value?.B;
  return typeof v === 'string' && v.length <= 1024 ? v : undefined;
}

function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
