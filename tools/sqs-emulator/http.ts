/** One API call over HTTP: read the JSON body, run the operation named by X-Amz-Target, answer as SQS does. */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { OPERATIONS } from './operations.ts';
import type { Queues } from './queues.ts';
import { invalid, SqsError } from './types.ts';
import type { SqsEmulator } from './types.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export function handleRequest(qs: Queues, calls: SqsEmulator['calls'], req: http.IncomingMessage, res: http.ServerResponse): void {
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
    const op = OPERATIONS[operation];
    if (!op) return fail(new SqsError('InvalidAction', 'InvalidAction', `The action ${operation} is not valid for this endpoint.`));
    const input = parseInput(Buffer.concat(chunks).toString('utf8'));
    if (!input) return fail(new SqsError('SerializationException', 'SerializationException', 'Malformed JSON request body.'));
    try {
      reply(200, op(qs, input));
    } catch (err) {
      if (err instanceof SqsError) return fail(err);
      fail(new SqsError('InternalError', 'InternalError', String(err), 500));
    }
  });
}

function parseInput(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
