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
import { readTraceRequest, respond } from './receiver-http.ts';
import type { Pending } from './receiver-http.ts';
import type { OtlpReceiver, ReceivedRequest, ReceivedSpan, ReceiverMode } from './types.ts';

const TRACES_PATH = '/v1/traces';
const DEFAULT_WAIT_MS = 5000;

export async function startOtlpReceiver(opts: { port?: number; host?: string } = {}): Promise<OtlpReceiver> {
  const receiver = new Receiver(opts.host ?? '127.0.0.1');
  await receiver.start(opts.port ?? 0);
  return receiver;
}

interface Waiter {
  check(): void;
  fail(err: Error): void;
}

class Receiver implements OtlpReceiver {
  url = '';
  tracesUrl = '';
  port = 0;
  readonly spans: ReceivedSpan[] = [];
  readonly requests: ReceivedRequest[] = [];
  onSpans?: (spans: ReceivedSpan[]) => void;

  #mode: ReceiverMode = { kind: 'ok' };
  #closed = false;
  readonly #host: string;
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #hung = new Set<Pending>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters = new Set<Waiter>();

  constructor(host: string) {
    this.#host = host;
    this.#server = http.createServer((req, res) => {
      readTraceRequest(req, res, TRACES_PATH, (record) => this.requests.push(record), (p) => this.#answer(p));
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  async start(port: number): Promise<void> {
    this.port = await this.#listen(port);
    this.url = `http://${this.#host.includes(':') ? `[${this.#host}]` : this.#host}:${this.port}`;
    this.tracesUrl = this.url + TRACES_PATH;
  }

  async setMode(next: ReceiverMode): Promise<void> {
    if (this.#closed) throw new Error('otlp-receiver: setMode() after close()');
    const prev = this.#mode;
    this.#mode = next;
    if (next.kind === 'refuse' && prev.kind !== 'refuse') await this.#stopListening();
    if (next.kind !== 'refuse' && prev.kind === 'refuse') await this.#listen(this.port);
    if (next.kind !== 'hang') {
      for (const p of [...this.#hung]) {
        this.#hung.delete(p);
        this.#answer(p);
      }
    }
  }

  waitForSpans(pred: number | ((spans: ReceivedSpan[]) => boolean), timeoutMs = DEFAULT_WAIT_MS): Promise<ReceivedSpan[]> {
    const done = typeof pred === 'number' ? (s: ReceivedSpan[]) => s.length >= pred : pred;
    const wanted = typeof pred === 'number' ? `at least ${pred} span(s)` : 'the predicate to hold';
    return new Promise((resolve, reject) => {
      if (done(this.spans)) return resolve([...this.spans]);
      if (this.#closed) return reject(new Error('otlp-receiver: waitForSpans() after close()'));
      const waiter: Waiter = {
        check: () => {
          let satisfied: boolean;
          try {
            satisfied = done(this.spans);
          } catch (err) {
            return waiter.fail(err as Error);
          }
          if (!satisfied) return;
          finish();
          resolve([...this.spans]);
        },
        fail: (err: Error) => {
          finish();
          reject(err);
        },
      };
      const timer = setTimeout(
        () => waiter.fail(new Error(`otlp-receiver: timed out after ${timeoutMs}ms waiting for ${wanted}; ${this.#summary()}`)),
        timeoutMs,
      );
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      this.#waiters.add(waiter);
    });
  }

  clear(): void {
    this.spans.length = 0;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#hung.clear();
    for (const w of [...this.#waiters]) w.fail(new Error(`otlp-receiver: closed while waiting for spans; ${this.#summary()}`));
    await this.#stopListening();
    for (const s of this.#sockets) s.destroy();
  }

  #listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(port, this.#host, () => {
        this.#server.off('error', onError);
        resolve((this.#server.address() as { port: number }).port);
      });
    });
  }

  #stopListening(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
      for (const s of this.#sockets) s.destroy();
    });
  }

  /** Answers a fully read /v1/traces request according to the current mode. */
  #answer(p: Pending): void {
    const m = this.#mode;
    if (m.kind === 'hang') {
      this.#hung.add(p);
    } else if (m.kind === 'reset' || m.kind === 'refuse') {
      p.record.status = 'reset';
      if (!p.req.socket.destroyed) p.req.socket.resetAndDestroy();
    } else if (m.kind === 'delay') {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        respond(p, 200, undefined, (batch) => this.#accept(batch));
      }, m.ms);
      this.#timers.add(timer);
    } else {
      const code = m.kind === 'status' ? m.code : 200;
      respond(p, code, m.kind === 'status' ? m.retryAfterSeconds : undefined, (batch) => this.#accept(batch));
    }
  }

  /** Recorded before the response is written, so a caller awaiting its export sees them already. */
  #accept(batch: ReceivedSpan[]): void {
    this.spans.push(...batch);
    try {
      this.onSpans?.(batch);
    } catch (err) {
      console.error('otlp-receiver: onSpans listener threw', err);
    }
    for (const w of [...this.#waiters]) w.check();
  }

  #summary(): string {
    const names = [...new Set(this.spans.map((s) => s.name))];
    const statuses = this.requests.map((r) => String(r.status));
    return (
      `${this.spans.length} span(s) received` +
      (names.length ? ` (names: ${names.map((n) => JSON.stringify(n)).join(', ')})` : '') +
      `; ${this.requests.length} request(s)` +
      (statuses.length ? ` (statuses: ${statuses.join(', ')})` : '') +
      `; mode ${JSON.stringify(this.#mode)}`
    );
  }
}
