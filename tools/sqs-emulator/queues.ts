/** The emulator's state: its queues and messages, and who waits for them. */
import { randomUUID } from 'node:crypto';
import { md5, md5OfMessageAttributes, validAttributes } from './attributes.ts';
import { ACCOUNT_ID, invalid, SqsError } from './types.ts';
import type { Queue, StoredMessage } from './types.ts';

const MAX_MESSAGE_BYTES = 256 * 1024;

export class Queues {
  readonly byName = new Map<string, Queue>();
  /** Called whenever messages become visible (sent, or released by a failed batch item). */
  readonly waiters = new Set<() => void>();
  url = '';
  readonly region: string;

  constructor(region: string) {
    this.region = region;
  }

  create(name: string): string {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw invalid(`Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length`);
    if (!this.byName.has(name)) this.byName.set(name, { name, messages: [] });
    return this.queueUrl(name);
  }

  queueUrl(name: string): string {
    return `${this.url}/${ACCOUNT_ID}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${ACCOUNT_ID}:${name}`;
  }

  /** The queue an API call names by its QueueUrl, or the API's error. */
  of(input: Record<string, unknown>): Queue {
    const qurl = input['QueueUrl'];
    if (typeof qurl !== 'string') throw new SqsError('MissingParameter', 'MissingParameter', 'The request must contain the parameter QueueUrl.');
    const name = qurl.replace(/\/+$/, '').split('/').pop() ?? '';
    const q = this.byName.get(name);
    if (!q) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return q;
  }

  /** The queue a test names, or a plain error listing the queues there are. */
  named(name: string): Queue {
    const q = this.byName.get(name);
    if (!q) throw new Error(`sqs-emulator: no queue ${name} (queues: ${[...this.byName.keys()].join(', ') || 'none'})`);
    return q;
  }

  enqueue(q: Queue, entry: Record<string, unknown>): StoredMessage {
    const body = entry['MessageBody'];
    if (typeof body !== 'string' || body === '') throw new SqsError('MissingParameter', 'MissingParameter', 'The request must contain the parameter MessageBody.');
    const messageAttributes = validAttributes(entry['MessageAttributes']);
    const size = Buffer.byteLength(body) + Object.entries(messageAttributes).reduce((n, [k, a]) => n + k.length + a.DataType.length + (a.StringValue ?? a.BinaryValue ?? '').length, 0);
    if (size > MAX_MESSAGE_BYTES) throw invalid(`One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
    const m: StoredMessage = {
      messageId: randomUUID(),
      body,
      messageAttributes,
      md5OfBody: md5(body),
      md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
      sentTimestamp: Date.now(),
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      receiptHandle: undefined,
    };
    q.messages.push(m);
    this.wake();
    return m;
  }

  /** Up to `max` visible messages, now in flight under a fresh receipt handle. */
  take(q: Queue, max: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const m of q.messages) {
      if (out.length >= max) break;
      if (m.receiptHandle !== undefined) continue;
      m.receiveCount++;
      m.firstReceiveTimestamp ??= Date.now();
      m.receiptHandle = Buffer.from(`${m.messageId}:${randomUUID()}`).toString('base64');
      out.push(m);
    }
    return out;
  }

  deleteByHandle(q: Queue, handle: unknown): void {
    if (typeof handle !== 'string') throw new SqsError('MissingParameter', 'MissingParameter', 'The request must contain the parameter ReceiptHandle.');
    const i = q.messages.findIndex((m) => m.receiptHandle === handle);
    if (i < 0) throw new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
    q.messages.splice(i, 1);
  }

  wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export function systemAttributes(m: StoredMessage): Record<string, string> {
  return {
    ApproximateReceiveCount: String(m.receiveCount),
    SentTimestamp: String(m.sentTimestamp),
    SenderId: ACCOUNT_ID,
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
  };
}
