/** The receiver's HTTP side: reading and checking a /v1/traces request, and answering it with a status. */
import type http from 'node:http';
import zlib from 'node:zlib';
import { decodeTraceRequest, otlpEncodingOf } from './decode.ts';
import type { ReceivedRequest, ReceivedSpan } from './types.ts';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A fully read /v1/traces request awaiting its answer. */
export interface Pending {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  record: ReceivedRequest;
}

/** Reads the request, records it, rejects what is not a trace export, and hands the rest to `answer`. */
export function readTraceRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  tracesPath: string,
  record: (r: ReceivedRequest) => void,
  answer: (p: Pending) => void,
): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('error', () => {});
  req.on('end', () => {
    const contentEncoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
    const rec: ReceivedRequest = {
      path,
      contentType: req.headers['content-type'] ?? '',
      contentEncoding,
      body: Buffer.concat(chunks),
      status: 'hung',
      at: Date.now(),
    };
    record(rec);
    const reject = (code: number, message: string) => {
      rec.status = code;
      res.writeHead(code, { 'content-type': 'text/plain' }).end(`otlp-receiver: ${message}\n`);
    };
    if (path !== tracesPath) return reject(404, `no route for ${path} (traces go to ${tracesPath})`);
    if (req.method !== 'POST') return reject(405, `${req.method} not allowed`);
    if (size > MAX_BODY_BYTES) return reject(413, `body over ${MAX_BODY_BYTES} bytes`);
    if (!otlpEncodingOf(rec.contentType)) return reject(415, `unsupported content type ${rec.contentType}`);
    if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') {
      try {
        rec.body = zlib.gunzipSync(rec.body, { maxOutputLength: MAX_BODY_BYTES });
      } catch (err) {
        return reject(400, `bad gzip body: ${(err as Error).message}`);
      }
    } else if (contentEncoding !== '' && contentEncoding !== 'identity') {
      return reject(415, `unsupported content encoding ${contentEncoding}`);
    }
    answer({ req, res, record: rec });
  });
}

/** Answers with `code`; a 2xx decodes the body first and hands the spans to `accept` before the answer is written. */
export function respond(p: Pending, code: number, retryAfterSeconds: number | undefined, accept: (batch: ReceivedSpan[]) => void): void {
  const { res, record } = p;
  // The client gave up (timeout) or we were closed meanwhile: it never sees an answer.
  if (res.destroyed || p.req.socket.destroyed) return;
  const json = otlpEncodingOf(record.contentType) === 'json';
  let batch: ReceivedSpan[] = [];
  if (code >= 200 && code < 300) {
    try {
      batch = decodeTraceRequest(record.body, record.contentType);
    } catch (err) {
      code = 400;
      record.status = code;
      res.writeHead(code, { 'content-type': 'text/plain' }).end(`otlp-receiver: ${(err as Error).message}\n`);
      return;
    }
  }
  record.status = code;
  if (batch.length) accept(batch);
  const headers: http.OutgoingHttpHeaders = { 'content-type': json ? 'application/json' : 'application/x-protobuf' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  let body = '';
  if (code >= 200 && code < 300) body = json ? '{}' : '';
  else if (json) body = JSON.stringify({ message: `otlp-receiver: answering ${code} (receiver mode)` });
  res.writeHead(code, headers).end(body);
}
