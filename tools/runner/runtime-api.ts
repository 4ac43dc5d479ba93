/**
 * A Lambda Runtime API emulator (API version 2018-06-01) on 127.0.0.1.
 *
 * It holds one invocation queue and tracks every *participant* of the sandbox
 * (today only the runtime; extensions later), each of which is either busy or
 * parked in a long-poll `next` call. The sandbox is idle (and may be frozen)
 * only when every participant is parked in `next` and no invocation is queued
 * or in flight: this is the rule Lambda applies ("the runtime AND every
 * extension have called next").
 *
 * The Extensions API lives in extensions-api.ts: it adds a participant per
 * registered extension through `addRoute()` and the 'delivered'/'reset' events.
 *
 * Response streaming (`Lambda-Runtime-Function-Response-Mode: streaming`, a
 * chunked body) is recorded with the time its first byte arrived, which is
 * when a Function URL client would have seen it; the body is kept whole.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AbortError, InitError, InvocationOutcome, Participant, PendingInvocation, RouteHandler } from './runtime-api-types.ts';

export type { AbortError, InitError, InvocationOutcome, Participant, PendingInvocation, RouteHandler } from './runtime-api-types.ts';

export const API_VERSION = '2018-06-01';
const RUNTIME_PREFIX = `/${API_VERSION}/runtime`;

interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

interface InFlight {
  inv: PendingInvocation;
  deliveredAt: number;
  deadlineMs: number;
  settle: (o: InvocationOutcome) => void;
}

/**
 * Events:
 *  - 'runtime-waiting' (): the runtime parked in GET next.
 *  - 'idle' (): every participant is parked and nothing is queued or in flight.
 *    Emitted synchronously from the request handler, so a listener can freeze
 *    before any other callback of ours runs.
 *  - 'delivered' ({ requestId, deliveredAt, deadlineMs }): an event went out to the runtime.
 *  - 'init-error' (InitError): POST /runtime/init/error.
 */
export class RuntimeApi extends EventEmitter {
  readonly participants = new Map<string, Participant>();
  private readonly routes: Route[] = [];
  private server: http.Server | undefined;
  private queue: { inv: PendingInvocation; settle: (o: InvocationOutcome) => void }[] = [];
  private inFlight: InFlight | undefined;
  /** The runtime's parked GET /next response, if any. */
  private parkedNext: http.ServerResponse | undefined;
  address = '';

  constructor() {
    super();
    this.participants.set('runtime', { kind: 'runtime', name: 'runtime', waiting: false });
    this.addRoute('GET', new RegExp(`^${RUNTIME_PREFIX}/invocation/next$`), (_req, res) => this.handleNext(res));
    this.addRoute('POST', new RegExp(`^${RUNTIME_PREFIX}/invocation/([^/]+)/response$`), (req, res, m, body, firstDataAt) =>
      this.handleResponse(req, res, decodeURIComponent(m[1] ?? ''), body, firstDataAt),
    );
    this.addRoute('POST', new RegExp(`^${RUNTIME_PREFIX}/invocation/([^/]+)/error$`), (req, res, m, body) =>
      this.handleError(req, res, decodeURIComponent(m[1] ?? ''), body),
    );
    this.addRoute('POST', new RegExp(`^${RUNTIME_PREFIX}/init/error$`), (req, res, _m, body) => {
      const errorType = header(req, 'lambda-runtime-function-error-type');
      json(res, 202, { status: 'OK' });
      this.emit('init-error', { body: body.toString('utf8'), errorType } satisfies InitError);
    });
  }

  /** Extension point for the Extensions API / Telemetry API. Later routes win over earlier ones. */
  addRoute(method: string, pattern: RegExp, handler: RouteHandler): void {
    this.routes.unshift({ method, pattern, handler });
  }

  async start(): Promise<string> {
    const server = http.createServer((req, res) => this.dispatch(req, res));
    // A parked /next can last for the whole freeze; never time it out.
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.keepAliveTimeout = 0;
    server.timeout = 0;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.address = `127.0.0.1:${port}`;
    return this.address;
  }

  async close(): Promise<void> {
    this.reset('runtime API closed');
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** True when every participant is parked in next and there is no work. */
  isIdle(): boolean {
    return !this.inFlight && this.queue.length === 0 && this.allWaiting();
  }

  /** Lambda hands out the next event only when the runtime and every extension have asked for one. */
  allWaiting(): boolean {
    for (const p of this.participants.values()) if (!p.waiting) return false;
    return true;
  }

  /** Set by the runtime's first `next`: from then on, extensions can no longer register. */
  runtimeReady = false;

  /** A participant other than the runtime parked in its next call: deliver queued work, or report idle. */
  participantWaiting(): void {
    if (this.queue.length > 0) this.pump();
    else if (this.isIdle()) this.emit('idle');
  }

  get runtimeWaiting(): boolean {
    return this.participants.get('runtime')?.waiting ?? false;
  }

  currentInvocation(): { requestId: string; deliveredAt: number; deadlineMs: number } | undefined {
    const f = this.inFlight;
    return f && { requestId: f.inv.requestId, deliveredAt: f.deliveredAt, deadlineMs: f.deadlineMs };
  }

  /** Queue an invocation; resolves with the runtime's answer (or an abort). */
  enqueue(inv: PendingInvocation): Promise<InvocationOutcome> {
    return new Promise((settle) => {
      this.queue.push({ inv, settle });
      this.pump();
    });
  }

  /** End the in-flight and queued invocations without an answer from the runtime. */
  abortAll(reason: string, error?: AbortError): void {
    const at = performance.now();
    const outcome: InvocationOutcome = error ? { kind: 'aborted', reason, error, at } : { kind: 'aborted', reason, at };
    const f = this.inFlight;
    this.inFlight = undefined;
    f?.settle(outcome);
    const q = this.queue;
    this.queue = [];
    for (const item of q) item.settle(outcome);
  }

  /** Forget the current runtime process (it was killed): abort work, drop its parked /next. */
  reset(reason: string, error?: AbortError): void {
    this.abortAll(reason, error);
    const parked = this.parkedNext;
    this.parkedNext = undefined;
    if (parked && !parked.writableEnded) parked.destroy();
    for (const p of this.participants.values()) p.waiting = false;
    // A new process registers its extensions again.
    for (const [id, p] of this.participants) if (p.kind === 'extension') this.participants.delete(id);
    this.runtimeReady = false;
    this.emit('reset');
  }

  private dispatch(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = (req.url ?? '/').split('?')[0] ?? '/';
    const chunks: Buffer[] = [];
    let firstDataAt: number | undefined;
    req.on('data', (c: Buffer) => {
      firstDataAt ??= performance.now();
      chunks.push(c);
    });
    req.on('error', () => {});
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      for (const r of this.routes) {
        if (r.method !== req.method) continue;
        const m = r.pattern.exec(url);
        if (m) {
          r.handler(req, res, m, body, firstDataAt);
          return;
        }
      }
      json(res, 404, { errorType: 'NotFound', errorMessage: `${req.method} ${url} is not implemented by the local runner` });
    });
  }

  private handleNext(res: http.ServerResponse): void {
    const runtime = this.participants.get('runtime')!;
    if (this.parkedNext && !this.parkedNext.writableEnded) this.parkedNext.destroy();
    this.parkedNext = res;
    runtime.waiting = true;
    this.runtimeReady = true;
    // The runtime keeps one socket for all its calls: listen on this call's response, not on the socket.
    res.once('close', () => {
      if (this.parkedNext === res) {
        this.parkedNext = undefined;
        runtime.waiting = false;
      }
    });
    // Calling next while an invocation is in flight means the runtime gave up on it (Lambda treats
    // it the same way); nothing to do beyond what the response/error handlers already did.
    this.emit('runtime-waiting');
    this.participantWaiting();
  }

  private pump(): void {
    if (this.inFlight || !this.allWaiting()) return;
    const res = this.parkedNext;
    if (!res || res.writableEnded) return;
    const item = this.queue.shift();
    if (!item) return;
    const { inv, settle } = item;
    const deliveredAt = performance.now();
    const deadlineMs = Date.now() + inv.timeoutMs;
    this.inFlight = { inv, deliveredAt, deadlineMs, settle };
    this.parkedNext = undefined;
    this.participants.get('runtime')!.waiting = false;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': inv.requestId,
      'Lambda-Runtime-Deadline-Ms': String(deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': inv.functionArn,
      'Lambda-Runtime-Trace-Id': inv.traceHeader,
    };
    if (inv.clientContext !== undefined) headers['Lambda-Runtime-Client-Context'] = inv.clientContext;
    if (inv.cognitoIdentity !== undefined) headers['Lambda-Runtime-Cognito-Identity'] = inv.cognitoIdentity;
    res.writeHead(200, headers);
    res.end(inv.body);
    this.emit('delivered', { requestId: inv.requestId, deliveredAt, deadlineMs, functionArn: inv.functionArn, traceHeader: inv.traceHeader });
  }

  private takeInFlight(res: http.ServerResponse, requestId: string): InFlight | undefined {
    const f = this.inFlight;
    if (!f || f.inv.requestId !== requestId) {
      json(res, 400, { errorType: 'InvalidRequestID', errorMessage: `Invalid request ID: ${requestId}` });
      return undefined;
    }
    this.inFlight = undefined;
    return f;
  }

  private handleResponse(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, body: Buffer, firstDataAt: number | undefined): void {
    const f = this.takeInFlight(res, requestId);
    if (!f) return;
    const streaming = (header(req, 'lambda-runtime-function-response-mode') ?? '').toLowerCase() === 'streaming';
    json(res, 202, { status: 'OK' });
    const contentType = header(req, 'content-type');
    f.settle({
      kind: 'response',
      body: body.toString('utf8'),
      streaming,
      at: performance.now(),
      ...(streaming && firstDataAt !== undefined ? { firstByteAt: firstDataAt } : {}),
      ...(contentType ? { contentType } : {}),
    });
  }

  private handleError(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, body: Buffer): void {
    const f = this.takeInFlight(res, requestId);
    if (!f) return;
    json(res, 202, { status: 'OK' });
    f.settle({
      kind: 'error',
      body: body.toString('utf8'),
      errorType: header(req, 'lambda-runtime-function-error-type'),
      at: performance.now(),
    });
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
