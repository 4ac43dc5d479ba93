/** The emulator's public shapes, its queues and its error. */

export const ACCOUNT_ID = '123456789012';

/** A message attribute as the SQS API carries it. */
export interface SqsAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64 on the wire. */
  BinaryValue?: string;
}

export interface StoredMessage {
  messageId: string;
  body: string;
  messageAttributes: Record<string, SqsAttributeValue>;
  md5OfBody: string;
  md5OfMessageAttributes: string | undefined;
  sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp: number | undefined;
  /** Set while received and neither deleted nor released. */
  receiptHandle: string | undefined;
}

/** A record of a Lambda SQS event, as Lambda shapes it (lower-camel attribute names). */
export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsEventRecord[];
}

export interface SqsEmulator {
  /** Endpoint URL (what `AWS_ENDPOINT_URL_SQS` takes), e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  region: string;
  queueUrl(name: string): string;
  queueArn(name: string): string;
  createQueue(name: string): string;
  /** Messages in the queue that are not in flight. */
  visible(name: string): StoredMessage[];
  /** Every message still in the queue (visible and in flight). */
  messages(name: string): StoredMessage[];
  /** Takes up to `batchSize` visible messages as a Lambda SQS event (they are then in flight); undefined when none. */
  receiveEvent(name: string, batchSize?: number): SqsEvent | undefined;
  /**
   * Settles an event the way the event source mapping does with ReportBatchItemFailures: a result with
   * `batchItemFailures` deletes every other record and makes the failed ones visible again; a failed
   * invocation (`failed: true`) makes them all visible again; otherwise all are deleted. Returns the ids
   * made visible again.
   */
  settleEvent(name: string, event: SqsEvent, outcome: { result?: unknown; failed?: boolean }): string[];
  /** Resolves once the queue holds at least `count` visible messages. */
  waitForMessages(name: string, count?: number, timeoutMs?: number): Promise<StoredMessage[]>;
  /** Every API call, in order: operation name and whether it succeeded. */
  calls: { operation: string; status: number }[];
  close(): Promise<void>;
}

export interface Queue {
  name: string;
  messages: StoredMessage[];
}

export class SqsError extends Error {
  readonly code: string;
  readonly queryCode: string;
  readonly status: number;
  constructor(code: string, queryCode: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.queryCode = queryCode;
    this.status = status;
  }
}

export const invalid = (message: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', message);
