/**
 * A tiny Amazon SQS emulator on 127.0.0.1 for local runs and tests: enough of the AWS JSON 1.0 protocol that
 * the real `@aws-sdk/client-sqs` works against it (point the SDK at it with `AWS_ENDPOINT_URL_SQS`, any
 * credentials), and an event-source-mapping stand-in that hands queued messages to a worker as a Lambda SQS
 * event and settles them from its `batchItemFailures` answer, as Lambda does with ReportBatchItemFailures.
 *
 * Operations: SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch, GetQueueUrl,
 * CreateQueue, ListQueues, PurgeQueue. No signatures are checked, no visibility timeouts run out on their own,
 * FIFO queues are not emulated.
 *
 * `node tools/sqs-emulator.ts [port] [queue...]` runs it standalone (default port 9324, queue `jobs`).
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

export const ACCOUNT_ID = '123456789012';
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_MESSAGE_BYTES = 256 * 1024;

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

interface Queue {
  name: string;
  messages: StoredMessage[];
}

class SqsError extends Error {
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

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

/**
 * MD5OfMessageAttributes as SQS computes it: attributes sorted by name; for each, the name, the data type and the
 * value, each as a 4-byte big-endian length followed by the UTF-8 bytes, with a transport byte (1 = string,
 * 2 = binary) before the value.
 */
export function md5OfMessageAttributes(attributes: Record<string, SqsAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of names) {
    const a = attributes[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      field(Buffer.from(a.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      field(Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

function validAttributes(raw: unknown): Record<string, SqsAttributeValue> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('MessageAttributes must be a map');
  const out: Record<string, SqsAttributeValue> = {};
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 10) throw invalid('Number of message attributes [' + entries.length + '] exceeds the allowed maximum [10].');
  for (const [name, v] of entries) {
    const a = v as Partial<SqsAttributeValue> | null;
    if (!a || typeof a.DataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(a.DataType)) {
      throw invalid(`The message attribute '${name}' has an invalid message attribute type.`);
    }
    const binary = a.DataType.startsWith('Binary');
    if (binary ? typeof a.BinaryValue !== 'string' : typeof a.StringValue !== 'string') {
      throw invalid(`The message attribute '${name}' must contain a non-empty value of type '${binary ? 'Binary' : 'String'}'.`);
    }
    out[name] = binary ? { DataType: a.DataType, BinaryValue: a.BinaryValue! } : { DataType: a.DataType, StringValue: a.StringValue! };
  }
  return out;
}

const invalid = (message: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', message);

export async function startSqsEmulator(opts: { port?: number; host?: string; region?: string; queues?: string[] } = {}): Promise<SqsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const region = opts.region ?? 'us-east-1';
  const queues = new Map<string, Queue>();
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const calls: SqsEmulator['calls'] = [];
  let url = '';

  const createQueue = (name: string): string => {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw invalid(`Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length`);
    if (!queues.has(name)) queues.set(name, { name, messages: [] });
    return queueUrl(name);
  };
  const queueUrl = (name: string) => `${url}/${ACCOUNT_ID}/${name}`;
  const queueArn = (name: string) => `arn:aws:sqs:${region}:${ACCOUNT_ID}:${name}`;

  const queueOf = (input: Record<string, unknown>): Queue => {
    const qurl = input['QueueUrl'];
    if (typeof qurl !== 'string') throw new SqsError('MissingParameter', 'MissingParameter', 'The request must contain the parameter QueueUrl.');
    const name = qurl.replace(/\/+$/, '').split('/').pop() ?? '';
    const q = queues.get(name);
    if (!q) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return q;
  };

  const enqueue = (q: Queue, entry: Record<string, unknown>): StoredMessage => {
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
    for (const w of [...waiters]) w();
    return m;
  };

  const take = (q: Queue, max: number): StoredMessage[] => {
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
  };

  const deleteByHandle = (q: Queue, handle: unknown): void => {
    if (typeof handle !== 'string') throw new SqsError('MissingParameter', 'MissingParameter', 'The request must contain the parameter ReceiptHandle.');
    const i = q.messages.findIndex((m) => m.receiptHandle === handle);
    if (i < 0) throw new SqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
    q.messages.splice(i, 1);
  };

  const sendResult = (m: StoredMessage) => ({
    MessageId: m.messageId,
    MD5OfMessageBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
  });

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    SendMessage: (input) => sendResult(enqueue(queueOf(input), input)),
    SendMessageBatch: (input) => {
      const q = queueOf(input);
      const entries = Array.isArray(input['Entries']) ? (input['Entries'] as Record<string, unknown>[]) : [];
      if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
      if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const e of entries) {
        try {
          Successful.push({ Id: e['Id'], ...sendResult(enqueue(q, e)) });
        } catch (err) {
          const se = err as SqsError;
          Failed.push({ Id: e['Id'], SenderFault: true, Code: se.code ?? 'InternalError', Message: se.message });
        }
      }
      return { Successful, Failed };
    },
    ReceiveMessage: (input) => {
      const q = queueOf(input);
      const max = Math.min(10, Math.max(1, Number(input['MaxNumberOfMessages'] ?? 1)));
      return {
        Messages: take(q, max).map((m) => ({
          MessageId: m.messageId,
          ReceiptHandle: m.receiptHandle,
          MD5OfBody: m.md5OfBody,
          Body: m.body,
          Attributes: systemAttributes(m),
          ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes, MessageAttributes: m.messageAttributes } : {}),
        })),
      };
    },
    DeleteMessage: (input) => {
      deleteByHandle(queueOf(input), input['ReceiptHandle']);
      return {};
    },
    DeleteMessageBatch: (input) => {
      const q = queueOf(input);
      const entries = Array.isArray(input['Entries']) ? (input['Entries'] as Record<string, unknown>[]) : [];
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const e of entries) {
        try {
          deleteByHandle(q, e['ReceiptHandle']);
          Successful.push({ Id: e['Id'] });
        } catch (err) {
          Failed.push({ Id: e['Id'], SenderFault: true, Code: (err as SqsError).code, Message: (err as Error).message });
        }
      }
      return { Successful, Failed };
    },
    GetQueueUrl: (input) => {
      const name = String(input['QueueName'] ?? '');
      if (!queues.has(name)) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
      return { QueueUrl: queueUrl(name) };
    },
    CreateQueue: (input) => ({ QueueUrl: createQueue(String(input['QueueName'] ?? '')) }),
    ListQueues: (input) => {
      const prefix = typeof input['QueueNamePrefix'] === 'string' ? input['QueueNamePrefix'] : '';
      return { QueueUrls: [...queues.keys()].filter((n) => n.startsWith(prefix)).map(queueUrl) };
    },
    PurgeQueue: (input) => {
      queueOf(input).messages.length = 0;
      return {};
    },
  };

  function systemAttributes(m: StoredMessage): Record<string, string> {
    return {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentTimestamp),
      SenderId: ACCOUNT_ID,
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
    };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('error', () => {});
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
      const reply = (status: number, value: unknown, extra: http.OutgoingHttpHeaders = {}) => {
        calls.push({ operation: operation || `${req.method} ${req.url}`, status });
        const text = JSON.stringify(value);
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(text),
          'x-amzn-requestid': randomUUID(),
          ...extra,
        });
        res.end(text);
      };
      const fail = (e: SqsError) =>
        reply(e.status, { __type: `com.amazonaws.sqs#${e.code}`, message: e.message }, { 'x-amzn-query-error': `${e.queryCode};Sender` });
      if (req.method !== 'POST' || !operation) {
        return fail(new SqsError('InvalidAction', 'InvalidAction', 'This emulator speaks the AWS JSON 1.0 protocol only (POST with X-Amz-Target: AmazonSQS.<Operation>).'));
      }
      if (size > MAX_BODY_BYTES) return fail(invalid('request too large'));
      const op = operations[operation];
      if (!op) return fail(new SqsError('InvalidAction', 'InvalidAction', `The action ${operation} is not valid for this endpoint.`));
      let input: Record<string, unknown>;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const parsed: unknown = text ? JSON.parse(text) : {};
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        input = parsed as Record<string, unknown>;
      } catch {
        return fail(new SqsError('SerializationException', 'SerializationException', 'Malformed JSON request body.'));
      }
      try {
        reply(200, op(input));
      } catch (err) {
        if (err instanceof SqsError) return fail(err);
        fail(new SqsError('InternalError', 'InternalError', String(err), 500));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  url = `http://${host}:${port}`;
  for (const q of opts.queues ?? []) createQueue(q);

  const queueByName = (name: string): Queue => {
    const q = queues.get(name);
    if (!q) throw new Error(`sqs-emulator: no queue ${name} (queues: ${[...queues.keys()].join(', ') || 'none'})`);
    return q;
  };

  return {
    url,
    port,
    region,
    queueUrl,
    queueArn,
    createQueue,
    calls,
    visible: (name) => queueByName(name).messages.filter((m) => m.receiptHandle === undefined),
    messages: (name) => [...queueByName(name).messages],
    receiveEvent(name, batchSize = 10) {
      const taken = take(queueByName(name), batchSize);
      if (taken.length === 0) return undefined;
      return {
        Records: taken.map((m) => ({
          messageId: m.messageId,
          receiptHandle: m.receiptHandle!,
          body: m.body,
          attributes: systemAttributes(m),
          messageAttributes: Object.fromEntries(
            Object.entries(m.messageAttributes).map(([k, a]) => [
              k,
              {
                ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : { stringValue: a.StringValue ?? '' }),
                stringListValues: [],
                binaryListValues: [],
                dataType: a.DataType,
              },
            ]),
          ),
          md5OfBody: m.md5OfBody,
          ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
          eventSource: 'aws:sqs' as const,
          eventSourceARN: queueArn(name),
          awsRegion: region,
        })),
      };
    },
    settleEvent(name, event, outcome) {
      const q = queueByName(name);
      const failures = new Set<string>();
      const result = outcome.result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | undefined;
      if (outcome.failed) for (const r of event.Records) failures.add(r.messageId);
      else if (result && Array.isArray(result.batchItemFailures)) {
        for (const f of result.batchItemFailures) if (typeof f?.itemIdentifier === 'string') failures.add(f.itemIdentifier);
      }
      const released: string[] = [];
      for (const r of event.Records) {
        const m = q.messages.find((x) => x.receiptHandle === r.receiptHandle);
        if (!m) continue;
        if (failures.has(m.messageId)) {
          m.receiptHandle = undefined;
          released.push(m.messageId);
        } else q.messages.splice(q.messages.indexOf(m), 1);
      }
      for (const w of [...waiters]) w();
      return released;
    },
    waitForMessages(name, count = 1, timeoutMs = 5000) {
      const q = queueByName(name);
      const visibleNow = () => q.messages.filter((m) => m.receiptHandle === undefined);
      return new Promise((resolve, reject) => {
        const check = () => {
          const v = visibleNow();
          if (v.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(v);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`sqs-emulator: ${visibleNow().length} visible message(s) in ${name} after ${timeoutMs} ms, wanted ${count}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      waiters.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

// `node tools/sqs-emulator.ts [port] [queue...]`
if (import.meta.main) {
  const [portArg, ...names] = process.argv.slice(2);
  const emu = await startSqsEmulator({ port: Number(portArg ?? 9324), queues: names.length ? names : ['jobs'] });
  console.log(`sqs-emulator listening: AWS_ENDPOINT_URL_SQS=${emu.url}`);
  for (const n of names.length ? names : ['jobs']) console.log(`  queue ${n}: ${emu.queueUrl(n)}`);
  const stop = () => void emu.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
