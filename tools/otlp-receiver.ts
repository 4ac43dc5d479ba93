/**
 * An OTLP/HTTP trace receiver for tests and local runs: records what an exporter sent, decoded
 * (JSON or protobuf, optionally gzipped), and can misbehave on demand (refuse, reset, hang,
 * delay, error status) so flush/timeout paths can be exercised against a real socket.
 *
 * Spans count as received only when the request was answered 2xx: anything else is a failure
 * from the exporter's point of view, so recording those spans would let tests pass on data the
 * exporter believes it lost.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import zlib from 'node:zlib';
import { decodeTraceRequest, otlpEncodingOf } from './otlp-decode.ts';
import type { ReceivedSpan } from './otlp-decode.ts';

export { decodeJsonTraces, decodeProtobufTraces, decodeTraceRequest, OtlpDecodeError } from './otlp-decode.ts';
export type { AttrValue, ReceivedEvent, ReceivedLink, ReceivedSpan, SpanKindName, StatusCodeName } from './otlp-decode.ts';

export type ReceiverMode =
  /** 200 with an empty ExportTraceServiceResponse in the request's encoding. */
  | { kind: 'ok' }
  /** Stop listening (ECONNREFUSED); switching back re-listens on the same port. */
  | { kind: 'refuse' }
  /** Read the request, then reset the connection without answering. */
  | { kind: 'reset' }
  /** Read the request and never answer, until the mode changes (then it is answered per the new mode) or close(). */
  | { kind: 'hang' }
  /** Answer 200 after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Answer with this status (spans are recorded only if it is 2xx). */
  | { kind: 'status'; code: number; retryAfterSeconds?: number };

export interface ReceivedRequest {
  path: string;
  contentType: string;
  /** Content-Encoding as sent ('' when none); `body` is already decompressed. */
  contentEncoding: string;
  body: Buffer;
  /** What the client saw: the HTTP status, 'reset', or 'hung' while (or if) never answered. */
  status: number | 'hung' | 'reset';
  /** Date.now() when the request body had been read. */
  at: number;
}

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:43111 (what OTEL_EXPORTER_OTLP_ENDPOINT takes). */
  url: string;
  /** url + '/v1/traces' (what an exporter's `url` option takes). */
  tracesUrl: string;
  port: number;
  /** Every span decoded from a request answered 2xx, in arrival order. */
  spans: ReceivedSpan[];
  /** Every request that reached the handler, whatever its fate. */
  requests: ReceivedRequest[];
  setMode(mode: ReceiverMode): Promise<void>;
  /** Resolves with a snapshot of `spans` once `pred` holds (a number means "at least that many"). */
  waitForSpans(pred: number | ((spans: ReceivedSpan[]) => boolean), timeoutMs?: number): Promise<ReceivedSpan[]>;
  /** Forgets recorded spans and requests (the arrays are emptied in place). */
  clear(): void;
  /** Stops listening and ends every connection, hung ones included. Idempotent. */
  close(): Promise<void>;
  /** Called with each accepted batch, before the exporter sees the response. */
  onSpans?: (spans: ReceivedSpan[]) => void;
}

const TRACES_PATH = '/v1/traces';
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_WAIT_MS = 5000;

/** A fully read /v1/traces request awaiting its answer. */
interface Pending {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  record: ReceivedRequest;
}

export async function startOtlpReceiver(opts: { port?: number; host?: string } = {}): Promise<OtlpReceiver> {
  const host = opts.host ?? '127.0.0.1';
  let mode: ReceiverMode = { kind: 'ok' };
  let closed = false;
  const sockets = new Set<Socket>();
  const hung = new Set<Pending>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<{ check(): void; fail(err: Error): void }>();

  const server = http.createServer((req, res) => handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve((server.address() as { port: number }).port);
      });
    });

  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  const port = await listen(opts.port ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const receiver: OtlpReceiver = {
    url,
    tracesUrl: url + TRACES_PATH,
    port,
    spans: [],
    requests: [],

    async setMode(next) {
      if (closed) throw new Error('otlp-receiver: setMode() after close()');
      const prev = mode;
      mode = next;
      if (next.kind === 'refuse' && prev.kind !== 'refuse') await stopListening();
      if (next.kind !== 'refuse' && prev.kind === 'refuse') await listen(port);
      if (next.kind !== 'hang') {
        for (const p of [...hung]) {
          hung.delete(p);
          answer(p);
        }
      }
    },

    waitForSpans(pred, timeoutMs = DEFAULT_WAIT_MS) {
      const done = typeof pred === 'number' ? (s: ReceivedSpan[]) => s.length >= pred : pred;
      const wanted = typeof pred === 'number' ? `at least ${pred} span(s)` : 'the predicate to hold';
      return new Promise((resolve, reject) => {
        if (done(receiver.spans)) return resolve([...receiver.spans]);
        if (closed) return reject(new Error('otlp-receiver: waitForSpans() after close()'));
        const waiter = {
          check() {
            let satisfied: boolean;
            try {
              satisfied = done(receiver.spans);
            } catch (err) {
              return waiter.fail(err as Error);
            }
            if (!satisfied) return;
            finish();
            resolve([...receiver.spans]);
          },
          fail(err: Error) {
            finish();
            reject(err);
          },
        };
        const timer = setTimeout(
          () => waiter.fail(new Error(`otlp-receiver: timed out after ${timeoutMs}ms waiting for ${wanted}; ${summary()}`)),
          timeoutMs,
        );
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        waiters.add(waiter);
      });
    },

    clear() {
      receiver.spans.length = 0;
      receiver.requests.length = 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      hung.clear();
      for (const w of [...waiters]) w.fail(new Error(`otlp-receiver: closed while waiting for spans; ${summary()}`));
      await stopListening();
      for (const s of sockets) s.destroy();
    },
  };

  function summary(): string {
    const names = [...new Set(receiver.spans.map((s) => s.name))];
    const statuses = receiver.requests.map((r) => String(r.status));
    return (
      `${receiver.spans.length} span(s) received` +
      (names.length ? ` (names: ${names.map((n) => JSON.stringify(n)).join(', ')})` : '') +
      `; ${receiver.requests.length} request(s)` +
      (statuses.length ? ` (statuses: ${statuses.join(', ')})` : '') +
      `; mode ${JSON.stringify(mode)}`
    );
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
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
      const record: ReceivedRequest = {
        path,
        contentType: req.headers['content-type'] ?? '',
        contentEncoding,
        body: Buffer.concat(chunks),
        status: 'hung',
        at: Date.now(),
      };
      receiver.requests.push(record);
      const reject = (code: number, message: string) => {
        record.status = code;
        res.writeHead(code, { 'content-type': 'text/plain' }).end(`otlp-receiver: ${message}\n`);
      };
      if (path !== TRACES_PATH) return reject(404, `no route for ${path} (traces go to ${TRACES_PATH})`);
      if (req.method !== 'POST') return reject(405, `${req.method} not allowed`);
      if (size > MAX_BODY_BYTES) return reject(413, `body over ${MAX_BODY_BYTES} bytes`);
      if (!otlpEncodingOf(record.contentType)) return reject(415, `unsupported content type ${record.contentType}`);
      if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') {
        try {
          record.body = zlib.gunzipSync(record.body, { maxOutputLength: MAX_BODY_BYTES });
        } catch (err) {
          return reject(400, `bad gzip body: ${(err as Error).message}`);
        }
      } else if (contentEncoding !== '' && contentEncoding !== 'identity') {
        return reject(415, `unsupported content encoding ${contentEncoding}`);
      }
      answer({ req, res, record });
    });
  }

  /** Answers a fully read /v1/traces request according to the current mode. */
  function answer(p: Pending): void {
    const m = mode;
    if (m.kind === 'hang') {
      hung.add(p);
    } else if (m.kind === 'reset' || m.kind === 'refuse') {
      p.record.status = 'reset';
      if (!p.req.socket.destroyed) p.req.socket.resetAndDestroy();
    } else if (m.kind === 'delay') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond(p, 200);
      }, m.ms);
      timers.add(timer);
    } else {
      respond(p, m.kind === 'status' ? m.code : 200, m.kind === 'status' ? m.retryAfterSeconds : undefined);
    }
  }

  function respond(p: Pending, code: number, retryAfterSeconds?: number): void {
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
    // Recorded before the response is written, so a caller awaiting its export sees them already.
    if (batch.length) {
      receiver.spans.push(...batch);
      try {
        receiver.onSpans?.(batch);
      } catch (err) {
        console.error('otlp-receiver: onSpans listener threw', err);
      }
      for (const w of [...waiters]) w.check();
    }
    const headers: http.OutgoingHttpHeaders = { 'content-type': json ? 'application/json' : 'application/x-protobuf' };
    if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
    let body = '';
    if (code >= 200 && code < 300) body = json ? '{}' : '';
    else if (json) body = JSON.stringify({ message: `otlp-receiver: answering ${code} (receiver mode)` });
    res.writeHead(code, headers).end(body);
  }

  return receiver;
}

// `node tools/otlp-receiver.ts [port]`: a local collector that prints each span as it arrives.
if (import.meta.main) {
  const port = Number(process.argv[2] ?? process.env['OTLP_RECEIVER_PORT'] ?? 4318);
  const receiver = await startOtlpReceiver({ port });
  receiver.onSpans = (batch) => {
    for (const s of batch) {
      const status = s.status.code === 'UNSET' ? '' : ` ${s.status.code}${s.status.message ? `: ${s.status.message}` : ''}`;
      console.log(`${s.traceId.slice(0, 8)} ${s.name} [${s.kind}] ${s.durationMs.toFixed(1)}ms${status}`);
    }
  };
  console.log(`otlp-receiver listening: OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.url}`);
  const stop = () => void receiver.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
