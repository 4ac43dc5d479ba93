/**
 * A local Anthropic-compatible HTTP server for tests and local runs: the Messages API (JSON and SSE with the real
 * event sequence, tool use, prompt-cache usage, `max_tokens` and stop-sequence stops), token counting and the
 * Bedrock runtime paths `AnthropicBedrock` calls (bedrock.ts), close
 * enough to the wire format for `@anthropic-ai/sdk` 0.3x, 0.5x and 1.x to work unmodified, with scripted faults
 * (see faults.ts). Generated text never echoes the prompt and always contains {@link MARKER}.
 *
 * Loopback only; request bodies, recorded requests and the prompt cache are bounded.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { bedrockInvoke, bedrockRoute } from './bedrock.ts';
import { countTokens } from './count-tokens.ts';
import type { Fault } from './faults.ts';
import { FaultScript, HttpError, errorBody } from './faults.ts';
import type { Exchange } from './http.ts';
import { destroySocket, newExchange, readBody, sendJson } from './http.ts';
import { messagesCreate } from './messages.ts';
import type { Json } from './plan.ts';
import { PromptCache } from './prompt-cache.ts';
import type { SendContext } from './respond.ts';

export { MARKER, resolveModel } from './plan.ts';
export type { Fault } from './faults.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface AnthropicServer {
  /** Base URL without `/v1`, e.g. `http://127.0.0.1:45555` (pass as `baseURL`; the SDK adds `/v1/messages`). */
  url: string;
  port: number;
  /** Every request received (parsed JSON body, or the raw text when it is not JSON). */
  requests: RecordedRequest[];
  /** Faults for the next requests, one each, in order. */
  script(...faults: Fault[]): void;
  /** A fault for every request once the script is used up, until `clear()` (or `always(undefined)`). */
  always(fault: Fault | undefined): void;
  /** Forgets recorded requests, faults and the prompt cache. */
  clear(): void;
  close(): Promise<void>;
}

export interface AnthropicServerOptions {
  port?: number;
  /** Loopback host: `127.0.0.1` (default), `::1` or `localhost`. */
  host?: string;
  /** Spacing between SSE events, in ms (default 2). */
  eventDelayMs?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_RECORDED_REQUESTS = 1000;

/** The server's state, in one place: what the routes read and what `clear()` resets. */
interface State {
  requests: RecordedRequest[];
  faults: FaultScript;
  cache: PromptCache;
  sockets: Set<Socket>;
  send: SendContext;
  closed: boolean;
}

export async function startAnthropicServer(opts: AnthropicServerOptions = {}): Promise<AnthropicServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`anthropic-server: refusing non-loopback host ${JSON.stringify(host)}`);
  const state: State = {
    requests: [],
    faults: new FaultScript(),
    cache: new PromptCache(),
    sockets: new Set(),
    send: { closing: () => state.closed, eventDelayMs: Math.max(0, opts.eventDelayMs ?? 2) },
    closed: false,
  };
  const server = createServer((req, res) => void handle(state, req, res));
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket) => {
    state.sockets.add(socket);
    socket.on('close', () => state.sockets.delete(socket));
  });
  const port = await listen(server, opts.port ?? 0, host);
  const urlHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests: state.requests,
    script: (...faults) => state.faults.script(...faults),
    always: (fault) => state.faults.always(fault),
    clear() {
      state.requests.length = 0;
      state.faults.clear();
      state.cache.clear();
    },
    close: () => close(state, server),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (!address || typeof address === 'string') reject(new Error('anthropic-server: unexpected listen address'));
      else resolve(address.port);
    });
  });
}

function close(state: State, server: Server): Promise<void> {
  state.closed = true;
  for (const socket of state.sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ex = newExchange(req, res);
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const { text, tooLarge } = await readBody(req);
    const body = parse(text);
    state.requests.push({ method, path: url.pathname + url.search, headers: { ...req.headers }, body: body.value });
    if (state.requests.length > MAX_RECORDED_REQUESTS) state.requests.splice(0, state.requests.length - MAX_RECORDED_REQUESTS);
    const fault = state.faults.next();
    if (answeredByFault(ex, fault)) return;
    if (tooLarge) throw new HttpError(413, 'Request exceeds the maximum allowed number of bytes.');
    if (!body.ok) throw new HttpError(400, 'There was an issue with your request body: invalid JSON.', 'invalid_request_error');
    await route(state, ex, fault, method, url.pathname.replace(/\/+$/, ''), (body.value ?? {}) as Json);
  } catch (err) {
    if (!(err instanceof HttpError)) console.error('anthropic-server: internal error', err);
    const status = err instanceof HttpError ? err.status : 500;
    const type = err instanceof HttpError ? err.type : 'api_error';
    if (res.headersSent) destroySocket(ex);
    else sendJson(ex, status, errorBody(status, ex.requestId, type, err instanceof Error ? err.message : String(err)));
  }
}

function parse(text: string): { ok: boolean; value: unknown } {
  if (text.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: text };
  }
}

/** Faults that replace the answer altogether (a status, a reset); true when one did. */
function answeredByFault(ex: Exchange, fault: Fault | undefined): boolean {
  if (fault?.kind === 'reset') {
    destroySocket(ex);
    return true;
  }
  if (fault?.kind !== 'status') return false;
  const extra: Record<string, string> = fault.retryAfterMs === undefined ? {} : { 'retry-after-ms': String(fault.retryAfterMs) };
  sendJson(ex, fault.status, errorBody(fault.status, ex.requestId, fault.type, fault.message), extra);
  return true;
}

async function route(state: State, ex: Exchange, fault: Fault | undefined, method: string, path: string, body: Json): Promise<void> {
  if (method === 'POST' && path === '/v1/messages') return messagesCreate(state.send, state.cache, ex, fault, body);
  if (method === 'POST' && path === '/v1/messages/count_tokens') return countTokens(state.send, ex, fault, body);
  const bedrock = method === 'POST' ? bedrockRoute(path) : undefined;
  if (bedrock) return bedrockInvoke(state.send, state.cache, ex, fault, bedrock, body);
  throw new HttpError(404, `Not found: ${method} ${path}`, 'not_found_error');
}
