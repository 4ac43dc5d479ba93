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
 * `npm run sqs-emulator -- [--port N] [queue...]` runs it standalone (default port 9324, queue `jobs`).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { receiveEvent, settleEvent, waitForMessages } from './events.ts';
import { handleRequest } from './http.ts';
import { Queues } from './queues.ts';
import type { SqsEmulator } from './types.ts';

export { md5OfMessageAttributes } from './attributes.ts';
export { ACCOUNT_ID } from './types.ts';
export type { SqsAttributeValue, SqsEmulator, SqsEvent, SqsEventRecord, StoredMessage } from './types.ts';

export async function startSqsEmulator(opts: { port?: number; host?: string; region?: string; queues?: string[] } = {}): Promise<SqsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const qs = new Queues(opts.region ?? 'us-east-1');
  const sockets = new Set<Socket>();
  const calls: SqsEmulator['calls'] = [];
  const server = http.createServer((req, res) => handleRequest(qs, calls, req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  qs.url = `http://${host}:${port}`;
  for (const q of opts.queues ?? []) qs.create(q);
  return {
    url: qs.url,
    port,
    region: qs.region,
    queueUrl: (name) => qs.queueUrl(name),
    queueArn: (name) => qs.queueArn(name),
    createQueue: (name) => qs.create(name),
    calls,
    visible: (name) => qs.named(name).messages.filter((m) => m.receiptHandle === undefined),
    messages: (name) => [...qs.named(name).messages],
    receiveEvent: (name, batchSize = 10) => receiveEvent(qs, name, batchSize),
    settleEvent: (name, event, outcome) => settleEvent(qs, name, event, outcome),
    waitForMessages: (name, count = 1, timeoutMs = 5000) => waitForMessages(qs, name, count, timeoutMs),
    async close() {
      qs.waiters.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
