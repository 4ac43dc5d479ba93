/**
 * A small OpenAI-compatible HTTP server for tests and for local runs (`npm start` uses it as a local model).
 *
 * It speaks the wire format of the real API closely enough for the official `openai` SDK (v4–v7) to work
 * unmodified: chat completions (plain, streaming, n>1, json_schema, tool calls), responses (plain,
 * streaming, json_schema, function calls, retrieve), embeddings (float and base64) and models.
 *
 * Completions are deterministic, never echo the prompt, and always contain the marker word {@link MARKER}.
 * Faults can be scripted per request to exercise retries, resets, slow streams and broken streams.
 *
 * Loopback only; request bodies, recorded requests and stored responses are bounded.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * One scripted fault per request (any endpoint, in arrival order). On non-streamed responses the stream
 * faults mean: `slowFirstChunk` — headers at once, body after `ms`; `midStreamReset` — headers and half the
 * JSON body, then the socket is destroyed; `midStreamError` — ignored (normal response).
 */
export type Fault =
  | {
      kind: 'status';
      status: number;
      retryAfterSeconds?: number;
      retryAfterMs?: number;
      type?: string;
      code?: string;
      message?: string;
    }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
  | { kind: 'slowFirstChunk'; ms: number }
  | { kind: 'midStreamReset'; afterChunks: number }
  | { kind: 'midStreamError'; afterChunks: number }
  | { kind: 'finish'; reason: 'length' | 'content_filter' | 'tool_calls' }
  /** Responses API: these output items instead of the generated ones; `omitStatus` drops the response's `status`. */
  | { kind: 'output'; items: Record<string, unknown>[]; omitStatus?: boolean };

export interface OpenAIServer {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:45555/v1` (pass as `baseURL`). */
  url: string;
  port: number;
  /** Every request received (parsed JSON body, or the raw text when it is not JSON; `undefined` when empty). */
  requests: RecordedRequest[];
  /** Faults apply to the next requests, one each, in order; requests beyond the script are normal. */
  script(...faults: Fault[]): void;
  /** Forgets recorded requests, pending faults and stored responses. */
  clear(): void;
  /** Closes the server and destroys every socket, including ones in the middle of a stream. */
  close(): Promise<void>;
}

export interface OpenAIServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Loopback host: `127.0.0.1` (default), `::1` or `localhost`. */
  host?: string;
  /** Spacing between SSE chunks, in ms (default 2). */
  chunkDelayMs?: number;
}

/** Marker word present in every generated completion (text, JSON string values, tool arguments). */
export const MARKER = 'ZEPHYR';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_RECORDED_REQUESTS = 1000;
const MAX_STORED_RESPONSES = 200;
const MAX_CHOICES = 16;
const MAX_EMBEDDING_INPUTS = 2048;
const MAX_EMBEDDING_DIMENSIONS = 4096;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

type Json = Record<string, any>;

const DATED_MODELS: Record<string, string> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  'gpt-4-turbo': 'gpt-4-turbo-2024-04-09',
  'gpt-3.5-turbo': 'gpt-3.5-turbo-0125',
  'o1': 'o1-2024-12-17',
  'o3': 'o3-2025-04-16',
  'o3-mini': 'o3-mini-2025-01-31',
  'o4-mini': 'o4-mini-2025-04-16',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
};

const MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'o4-mini',
  'gpt-5-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
];

/** `gpt-4o-mini` → `gpt-4o-mini-2024-07-18`; already-dated names are kept; others get a fixed date. */
export function resolveModel(requested: string): string {
  if (/-\d{4}-\d{2}-\d{2}$/.test(requested) || /-\d{4}$/.test(requested)) return requested;
  return DATED_MODELS[requested] ?? `${requested}-2025-01-01`;
}

function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

const REASONING_TOKENS = 64;

/** Unref'd: a pending fault delay must not keep a process alive after close(); open sockets do that while needed. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function shortHash(text: string, len = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, len);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function alnumId(len: number): string {
  const bytes = randomBytes(len);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function tokensForText(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Text of a chat/responses content value (string or array of parts); images count as 85 tokens' worth. */
function contentText(content: unknown): { text: string; extraTokens: number } {
  if (typeof content === 'string') return { text: content, extraTokens: 0 };
  let text = '';
  let extraTokens = 0;
  if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === 'string') text += part;
      else if (part && typeof part === 'object') {
        const p = part as Json;
        if (typeof p['text'] === 'string') text += p['text'];
        else if (p['type'] === 'image_url' || p['type'] === 'input_image') extraTokens += 85;
        else if (typeof p['output'] === 'string') text += p['output'];
      }
    }
  }
  return { text, extraTokens };
}

function chatPromptTokens(body: Json): { tokens: number; text: string } {
  const messages: unknown[] = Array.isArray(body['messages']) ? body['messages'] : [];
  let tokens = 3;
  let all = '';
  for (const m of messages) {
    const msg = (m ?? {}) as Json;
    const { text, extraTokens } = contentText(msg['content']);
    all += text + '\n';
    tokens += 4 + tokensForText(text) + extraTokens;
    if (Array.isArray(msg['tool_calls'])) tokens += tokensForText(JSON.stringify(msg['tool_calls']));
  }
  if (Array.isArray(body['tools'])) tokens += tokensForText(JSON.stringify(body['tools']));
  if (body['response_format']) tokens += tokensForText(JSON.stringify(body['response_format']));
  return { tokens, text: all };
}

function responsesPromptTokens(body: Json): { tokens: number; text: string } {
  let tokens = 3;
  let all = '';
  if (typeof body['instructions'] === 'string') {
    all += body['instructions'] + '\n';
    tokens += 4 + tokensForText(body['instructions']);
  }
  const input = body['input'];
  if (typeof input === 'string') {
    all += input;
    tokens += 4 + tokensForText(input);
  } else if (Array.isArray(input)) {
    for (const item of input) {
      const it = (item ?? {}) as Json;
      const { text, extraTokens } = contentText(it['content'] ?? it['output'] ?? it['arguments']);
      all += text + '\n';
      tokens += 4 + tokensForText(text) + extraTokens;
    }
  }
  if (Array.isArray(body['tools'])) tokens += tokensForText(JSON.stringify(body['tools']));
  if (body['text']) tokens += tokensForText(JSON.stringify(body['text']));
  return { tokens, text: all };
}

function cachedTokens(promptTokens: number, body: Json): number {
  // Deterministic stand-in for prompt caching: long prompts, or an explicit prompt_cache_key, "hit" half.
  return promptTokens >= 1024 || typeof body['prompt_cache_key'] === 'string' ? Math.floor(promptTokens / 2) : 0;
}

/** Deterministic completion words; never contains the prompt, always starts with the marker. */
function completionWords(promptText: string, choiceIndex: number): string[] {
  const tag = shortHash(promptText, 4);
  const words = [
    MARKER,
    `reply-${tag}${choiceIndex ? `-${choiceIndex}` : ''}:`,
    'the',
    'local',
    'model',
    'answers',
    'with',
    'this',
    'fixed',
    'deterministic',
    'sentence',
    'today.',
  ];
  return words;
}

function wordsToDeltas(words: string[]): string[] {
  return words.map((w, i) => (i < words.length - 1 ? `${w} ` : w));
}

function splitEvenly(text: string, size: number): string[] {
  if (text.length === 0) return [];
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

/** A value that satisfies a (simple) JSON schema: required properties filled with plausible values by type. */
export function sampleFromSchema(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (depth > 8 || !schema || typeof schema !== 'object') return MARKER;
  const s = schema as Json;
  if (typeof s['$ref'] === 'string') {
    const ref = s['$ref'] as string;
    if (ref === '#') return sampleFromSchema(root, root, depth + 1);
    const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
    const target = m ? ((root as Json)?.[m[1]!] as Json | undefined)?.[m[2]!] : undefined;
    return sampleFromSchema(target, root, depth + 1);
  }
  if ('const' in s) return s['const'];
  if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(s[key]) && s[key].length > 0) {
      const options = (s[key] as Json[]).filter((o) => o?.['type'] !== 'null');
      return sampleFromSchema(options[0] ?? s[key][0], root, depth + 1);
    }
  }
  let type = s['type'];
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (type === undefined && s['properties']) type = 'object';
  switch (type) {
    case 'object': {
      const props = (s['properties'] ?? {}) as Json;
      const required: string[] = Array.isArray(s['required']) ? s['required'] : Object.keys(props);
      const out: Json = {};
      for (const name of required) out[name] = sampleFromSchema(props[name] ?? {}, root, depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof s['minItems'] === 'number' ? Math.max(1, s['minItems']) : 1;
      return Array.from({ length: Math.min(min, 3) }, () => sampleFromSchema(s['items'] ?? {}, root, depth + 1));
    }
    case 'string':
      if (s['format'] === 'date-time') return '2025-01-01T00:00:00Z';
      if (s['format'] === 'date') return '2025-01-01';
      if (s['format'] === 'email') return 'zephyr@example.com';
      return MARKER;
    case 'integer':
      return typeof s['minimum'] === 'number' ? Math.ceil(s['minimum']) : 42;
    case 'number':
      return typeof s['minimum'] === 'number' ? s['minimum'] : 42.5;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return MARKER;
  }
}

function errorBody(message: string, type: string, code: string | null, param: string | null = null): Json {
  return { error: { message, type, param, code } };
}

function defaultStatusError(status: number): { type: string; code: string | null; message: string } {
  switch (status) {
    case 400:
      return { type: 'invalid_request_error', code: null, message: 'Invalid request.' };
    case 401:
      return {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
      };
    case 403:
      return { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Forbidden.' };
    case 404:
      return { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' };
    case 408:
      return { type: 'server_error', code: 'timeout', message: 'Request timed out.' };
    case 409:
      return { type: 'invalid_request_error', code: 'conflict', message: 'Conflict.' };
    case 422:
      return { type: 'invalid_request_error', code: null, message: 'Unprocessable entity.' };
    case 429:
      return {
        type: 'requests',
        code: 'rate_limit_exceeded',
        message: 'Rate limit reached for requests. Please try again later.',
      };
    case 503:
      return { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' };
    default:
      return status >= 500
        ? { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' }
        : { type: 'invalid_request_error', code: null, message: `Request failed with status ${status}.` };
  }
}

class HttpError extends Error {
  status: number;
  body: Json;
  constructor(status: number, body: Json) {
    super(String((body['error'] as Json | undefined)?.['message'] ?? status));
    this.status = status;
    this.body = body;
  }
}

function badRequest(message: string, param: string | null = null, code: string | null = null): HttpError {
  return new HttpError(400, errorBody(message, 'invalid_request_error', code, param));
}

/** Context of one in-flight request. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  fault: Fault | undefined;
  startedAt: number;
  requestId: string;
  /** The response was closed (finished, or the peer went away). */
  closed: boolean;
}

export async function startOpenAIServer(opts: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`openai-server: refusing to listen on non-loopback host ${JSON.stringify(host)}`);
  }
  const chunkDelayMs = Math.max(0, opts.chunkDelayMs ?? 2);
  const requests: RecordedRequest[] = [];
  let faults: Fault[] = [];
  const storedResponses = new Map<string, Json>();
  const sockets = new Set<Socket>();
  let closed = false;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        sendJson(
          { req, res, fault: undefined, startedAt: Date.now(), requestId: `req_${hex(16)}`, closed: false },
          500,
          errorBody(`Internal test-server error: ${String(err)}`, 'server_error', null),
        );
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('openai-server: unexpected listen address');
  const port = address.port;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          tooLarge = true;
          return; // keep draining, drop the data
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (tooLarge) reject(new HttpError(413, errorBody('Request body too large for the test server.', 'invalid_request_error', null)));
        else resolve(Buffer.concat(chunks).toString('utf8'));
      });
      req.on('error', reject);
    });
  }

  function baseHeaders(ex: Exchange): Record<string, string> {
    return {
      'x-request-id': ex.requestId,
      'openai-version': '2020-10-01',
      'openai-organization': 'user-zephyr-test',
      'openai-processing-ms': String(Math.max(1, Date.now() - ex.startedAt)),
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-limit-tokens': '10000000',
      'x-ratelimit-remaining-tokens': '9999000',
      'x-ratelimit-reset-tokens': '6ms',
    };
  }

  function sendJson(ex: Exchange, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
    if (ex.res.destroyed) return;
    const payload = JSON.stringify(body);
    ex.res.writeHead(status, {
      ...baseHeaders(ex),
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      ...extraHeaders,
    });
    ex.res.end(payload);
  }

  function destroySocket(ex: Exchange): void {
    ex.res.socket?.destroy();
    ex.res.destroy();
  }

  /** Writes a string and resolves once it has been handed to the kernel (or the socket is gone). */
  function write(ex: Exchange, data: string): Promise<void> {
    return new Promise((resolve) => {
      if (ex.res.destroyed || ex.res.writableEnded) return resolve();
      ex.res.write(data, () => resolve());
    });
  }

  function gone(ex: Exchange): boolean {
    return closed || ex.closed || ex.res.destroyed || ex.res.writableEnded;
  }

  /** Sends a complete (non-streamed) JSON body, honouring the request's fault. */
  async function respondJson(ex: Exchange, body: unknown): Promise<void> {
    const fault = ex.fault;
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (gone(ex)) return;
    if (fault?.kind === 'slowFirstChunk' || fault?.kind === 'midStreamReset') {
      const payload = JSON.stringify(body);
      ex.res.writeHead(200, { ...baseHeaders(ex), 'content-type': 'application/json' });
      ex.res.flushHeaders();
      if (fault.kind === 'slowFirstChunk') {
        await sleep(fault.ms);
        if (gone(ex)) return;
        ex.res.end(payload);
      } else {
        await write(ex, payload.slice(0, Math.floor(payload.length / 2)));
        await sleep(chunkDelayMs);
        destroySocket(ex);
      }
      return;
    }
    sendJson(ex, 200, body);
  }

  /**
   * Streams SSE frames, honouring the request's fault. `errorFrame` is what a midStreamError sends;
   * `done` appends `data: [DONE]` (chat completions do, responses do not).
   */
  async function respondSse(ex: Exchange, frames: string[], errorFrame: string, done: boolean): Promise<void> {
    const fault = ex.fault;
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (gone(ex)) return;
    ex.res.writeHead(200, {
      ...baseHeaders(ex),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    ex.res.flushHeaders();
    const all = done ? [...frames, 'data: [DONE]\n\n'] : frames;
    for (let i = 0; i < all.length; i++) {
      if (fault?.kind === 'midStreamReset' && i === fault.afterChunks) {
        await sleep(chunkDelayMs);
        destroySocket(ex);
        return;
      }
      if (fault?.kind === 'midStreamError' && i === fault.afterChunks) {
        await write(ex, errorFrame);
        if (!gone(ex)) ex.res.end();
        return;
      }
      if (i === 0 && fault?.kind === 'slowFirstChunk') await sleep(fault.ms);
      else if (i > 0 && chunkDelayMs > 0) await sleep(chunkDelayMs);
      if (gone(ex)) return;
      await write(ex, all[i]!);
    }
    if (fault?.kind === 'midStreamReset') {
      // afterChunks ≥ number of frames: everything was sent, then the connection dies before the end.
      await sleep(chunkDelayMs);
      destroySocket(ex);
      return;
    }
    if (fault?.kind === 'midStreamError') {
      await write(ex, errorFrame);
    }
    if (!gone(ex)) ex.res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    let rawBody = '';
    let bodyError: HttpError | undefined;
    try {
      rawBody = await readBody(req);
    } catch (err) {
      bodyError = err instanceof HttpError ? err : new HttpError(400, errorBody('Could not read request body.', 'invalid_request_error', null));
    }
    let body: unknown = undefined;
    let jsonError = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
        jsonError = true;
      }
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    requests.push({ method, path: url.pathname + url.search, headers, body });
    if (requests.length > MAX_RECORDED_REQUESTS) requests.splice(0, requests.length - MAX_RECORDED_REQUESTS);

    const ex: Exchange = { req, res, fault: faults.shift(), startedAt, requestId: `req_${hex(16)}`, closed: false };
    res.on('close', () => {
      ex.closed = true;
    });
    const fault = ex.fault;

    if (fault?.kind === 'reset') {
      destroySocket(ex);
      return;
    }
    if (fault?.kind === 'status') {
      const defaults = defaultStatusError(fault.status);
      const extra: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) extra['retry-after'] = String(fault.retryAfterSeconds);
      if (fault.retryAfterMs !== undefined) extra['retry-after-ms'] = String(fault.retryAfterMs);
      sendJson(
        ex,
        fault.status,
        errorBody(fault.message ?? defaults.message, fault.type ?? defaults.type, fault.code ?? defaults.code),
        extra,
      );
      return;
    }

    try {
      if (bodyError) throw bodyError;
      if (jsonError) {
        throw badRequest(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        );
      }
      await route(ex, method, url, (body ?? {}) as Json);
    } catch (err) {
      if (err instanceof HttpError) {
        if (!res.headersSent) sendJson(ex, err.status, err.body);
        else res.destroy();
        return;
      }
      throw err;
    }
  }

  async function route(ex: Exchange, method: string, url: URL, body: Json): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '');
    if (method === 'POST' && path === '/v1/chat/completions') return chatCompletions(ex, body);
    if (method === 'POST' && path === '/v1/responses') return responsesCreate(ex, body);
    if (method === 'GET' && path.startsWith('/v1/responses/')) {
      return responsesRetrieve(ex, decodeURIComponent(path.slice('/v1/responses/'.length)), url);
    }
    if (method === 'POST' && path === '/v1/embeddings') return embeddings(ex, body);
    if (method === 'GET' && path === '/v1/models') {
      return respondJson(ex, { object: 'list', data: MODELS.map(modelObject) });
    }
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (!MODELS.includes(id)) {
        throw new HttpError(404, errorBody(`The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found', 'model'));
      }
      return respondJson(ex, modelObject(id));
    }
    throw new HttpError(404, errorBody(`Invalid URL (${method} ${url.pathname})`, 'invalid_request_error', null));
  }

  function modelObject(id: string): Json {
    return { id, object: 'model', created: 1700000000, owned_by: id.startsWith('text-embedding') ? 'system' : 'openai' };
  }

  function requireModel(body: Json): string {
    if (typeof body['model'] !== 'string' || body['model'].length === 0) {
      throw badRequest('you must provide a model parameter', 'model');
    }
    return body['model'];
  }

  function serviceTier(body: Json): Json {
    const tier = body['service_tier'];
    if (typeof tier !== 'string') return {};
    return { service_tier: tier === 'auto' ? 'default' : tier };
  }

  // ---------------------------------------------------------------- chat completions

  interface ChatChoicePlan {
    index: number;
    kind: 'text' | 'tool';
    content: string; // text content (for 'text')
    deltas: string[]; // streaming pieces of content or tool arguments
    toolName?: string;
    toolArgs?: string;
    toolCallId?: string;
    finishReason: 'stop' | 'length' | 'content_filter' | 'tool_calls';
    completionTokens: number;
  }

  function pickTool(body: Json, forced: boolean): { name: string; parameters: unknown } | undefined {
    const tools: Json[] = Array.isArray(body['tools']) ? body['tools'] : [];
    const fnTools = tools.filter((t) => t?.['type'] === 'function' && t['function']?.['name']);
    const choice = body['tool_choice'];
    if (choice && typeof choice === 'object' && choice['type'] === 'function') {
      const name = choice['function']?.['name'] ?? choice['name'];
      const tool = fnTools.find((t) => t['function']['name'] === name);
      return { name, parameters: tool?.['function']?.['parameters'] ?? {} };
    }
    if (choice === 'required' || forced) {
      const tool = fnTools[0];
      if (tool) return { name: tool['function']['name'], parameters: tool['function']['parameters'] ?? {} };
      if (forced) return { name: 'zephyr_tool', parameters: { type: 'object', properties: { note: { type: 'string' } } } };
    }
    return undefined;
  }

  function chatFormatContent(body: Json): string | undefined {
    const rf = body['response_format'] as Json | undefined;
    if (rf?.['type'] === 'json_schema') {
      return JSON.stringify(sampleFromSchema(rf['json_schema']?.['schema'] ?? { type: 'object', properties: {} }));
    }
    if (rf?.['type'] === 'json_object') return JSON.stringify({ result: MARKER });
    return undefined;
  }

  function planChat(body: Json, promptText: string, fault: Fault | undefined): ChatChoicePlan[] {
    const nRaw = body['n'] ?? 1;
    if (typeof nRaw !== 'number' || !Number.isInteger(nRaw) || nRaw < 1 || nRaw > MAX_CHOICES) {
      throw badRequest(`Invalid 'n': must be an integer between 1 and ${MAX_CHOICES}.`, 'n', 'invalid_value');
    }
    const maxTokens = body['max_completion_tokens'] ?? body['max_tokens'];
    const messages: Json[] = Array.isArray(body['messages']) ? body['messages'] : [];
    const afterToolResult = messages.length > 0 && messages[messages.length - 1]?.['role'] === 'tool';
    const forcedFinish = fault?.kind === 'finish' ? fault.reason : undefined;
    const plans: ChatChoicePlan[] = [];
    for (let index = 0; index < nRaw; index++) {
      const tool = afterToolResult && forcedFinish !== 'tool_calls' ? undefined : pickTool(body, forcedFinish === 'tool_calls');
      if (tool) {
        const args = JSON.stringify(sampleFromSchema(tool.parameters));
        plans.push({
          index,
          kind: 'tool',
          content: '',
          deltas: splitEvenly(args, 8),
          toolName: tool.name,
          toolArgs: args,
          toolCallId: `call_${alnumId(24)}`,
          finishReason: 'tool_calls',
          completionTokens: tokensForText(args) + 5,
        });
        continue;
      }
      const formatted = chatFormatContent(body);
      let pieces = formatted !== undefined ? splitEvenly(formatted, 8) : wordsToDeltas(completionWords(promptText, index));
      let finishReason: ChatChoicePlan['finishReason'] = 'stop';
      if (typeof maxTokens === 'number' && maxTokens >= 1 && pieces.length > maxTokens) {
        pieces = pieces.slice(0, maxTokens);
        finishReason = 'length';
      }
      if (forcedFinish === 'length' || forcedFinish === 'content_filter') {
        pieces = pieces.slice(0, Math.max(1, Math.ceil(pieces.length / 2)));
        finishReason = forcedFinish;
      }
      plans.push({
        index,
        kind: 'text',
        content: pieces.join(''),
        deltas: pieces,
        finishReason,
        completionTokens: pieces.length,
      });
    }
    return plans;
  }

  function chatUsage(body: Json, promptTokens: number, plans: ChatChoicePlan[], model: string): Json {
    const reasoning = isReasoningModel(model) ? REASONING_TOKENS : 0;
    const completion = plans.reduce((sum, p) => sum + p.completionTokens, 0) + reasoning;
    return {
      prompt_tokens: promptTokens,
      completion_tokens: completion,
      total_tokens: promptTokens + completion,
      prompt_tokens_details: { cached_tokens: cachedTokens(promptTokens, body), audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: reasoning,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
  }

  async function chatCompletions(ex: Exchange, body: Json): Promise<void> {
    const requested = requireModel(body);
    if (!Array.isArray(body['messages']) || body['messages'].length === 0) {
      throw badRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
    }
    const model = resolveModel(requested);
    const { tokens: promptTokens, text: promptText } = chatPromptTokens(body);
    const plans = planChat(body, promptText, ex.fault);
    const id = `chatcmpl-${alnumId(29)}`;
    const created = nowSeconds();
    const fingerprint = `fp_${shortHash(model, 10)}`;
    const usage = chatUsage(body, promptTokens, plans, model);
    const tier = serviceTier(body);

    if (body['stream'] !== true) {
      const completion = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: plans.map((p) => ({
          index: p.index,
          message:
            p.kind === 'tool'
              ? {
                  role: 'assistant',
                  content: null,
                  tool_calls: [{ id: p.toolCallId, type: 'function', function: { name: p.toolName, arguments: p.toolArgs } }],
                  refusal: null,
                  annotations: [],
                }
              : { role: 'assistant', content: p.content, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: p.finishReason,
        })),
        usage,
        ...tier,
        system_fingerprint: fingerprint,
      };
      return respondJson(ex, completion);
    }

    const includeUsage = body['stream_options']?.['include_usage'] === true;
    const chunk = (choices: Json[], extra: Json = {}): string =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        ...tier,
        system_fingerprint: fingerprint,
        choices,
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      })}\n\n`;
    const frames: string[] = [];
    // Role chunk for every choice first, then content deltas interleaved, then finish chunks.
    for (const p of plans) {
      const delta: Json =
        p.kind === 'tool'
          ? {
              role: 'assistant',
              content: null,
              tool_calls: [{ index: 0, id: p.toolCallId, type: 'function', function: { name: p.toolName, arguments: '' } }],
              refusal: null,
            }
          : { role: 'assistant', content: '', refusal: null };
      frames.push(chunk([{ index: p.index, delta, logprobs: null, finish_reason: null }]));
    }
    const longest = Math.max(...plans.map((p) => p.deltas.length));
    for (let i = 0; i < longest; i++) {
      for (const p of plans) {
        const piece = p.deltas[i];
        if (piece === undefined) continue;
        const delta: Json =
          p.kind === 'tool' ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece };
        frames.push(chunk([{ index: p.index, delta, logprobs: null, finish_reason: null }]));
      }
    }
    for (const p of plans) {
      frames.push(chunk([{ index: p.index, delta: {}, logprobs: null, finish_reason: p.finishReason }]));
    }
    if (includeUsage) frames.push(chunk([], { usage }));
    const errorFrame = `data: ${JSON.stringify(
      errorBody('The server had an error while processing your request. Sorry about that!', 'server_error', 'server_error'),
    )}\n\n`;
    return respondSse(ex, frames, errorFrame, true);
  }

  // ---------------------------------------------------------------- responses

  function responseTextFormat(body: Json): string | undefined {
    const format = body['text']?.['format'] as Json | undefined;
    if (format?.['type'] === 'json_schema') {
      return JSON.stringify(sampleFromSchema(format['schema'] ?? { type: 'object', properties: {} }));
    }
    if (format?.['type'] === 'json_object') return JSON.stringify({ result: MARKER });
    return undefined;
  }

  function pickResponsesTool(body: Json, forced: boolean): { name: string; parameters: unknown } | undefined {
    const tools: Json[] = Array.isArray(body['tools']) ? body['tools'] : [];
    const fnTools = tools.filter((t) => t?.['type'] === 'function' && typeof t['name'] === 'string');
    const choice = body['tool_choice'];
    if (choice && typeof choice === 'object' && choice['type'] === 'function') {
      const tool = fnTools.find((t) => t['name'] === choice['name']);
      return { name: choice['name'], parameters: tool?.['parameters'] ?? {} };
    }
    if (choice === 'required' || forced) {
      const tool = fnTools[0];
      if (tool) return { name: tool['name'], parameters: tool['parameters'] ?? {} };
      if (forced) return { name: 'zephyr_tool', parameters: { type: 'object', properties: { note: { type: 'string' } } } };
    }
    return undefined;
  }

  /** Builds the final response object plus the streaming "plan" (deltas per output item). */
  function buildResponse(body: Json, fault: Fault | undefined): { response: Json; deltas: string[][] } {
    const requested = requireModel(body);
    if (body['input'] === undefined && body['previous_response_id'] === undefined && body['prompt'] === undefined) {
      throw badRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
    }
    const model = resolveModel(requested);
    const { tokens: inputTokens, text: promptText } = responsesPromptTokens(body);
    const forcedFinish = fault?.kind === 'finish' ? fault.reason : undefined;
    const input = body['input'];
    const afterToolResult =
      Array.isArray(input) && input.length > 0 && input[input.length - 1]?.['type'] === 'function_call_output';
    const reasoning = isReasoningModel(model) ? REASONING_TOKENS : 0;
    const output: Json[] = [];
    const deltas: string[][] = [];
    if (reasoning) {
      output.push({ id: `rs_${hex(24)}`, type: 'reasoning', summary: [] });
      deltas.push([]);
    }
    let status = 'completed';
    let incomplete: Json | null = null;
    let outputTokens = reasoning;
    const tool = afterToolResult && forcedFinish !== 'tool_calls' ? undefined : pickResponsesTool(body, forcedFinish === 'tool_calls');
    if (tool) {
      const args = JSON.stringify(sampleFromSchema(tool.parameters));
      output.push({
        id: `fc_${hex(24)}`,
        type: 'function_call',
        status: 'completed',
        arguments: args,
        call_id: `call_${alnumId(24)}`,
        name: tool.name,
      });
      deltas.push(splitEvenly(args, 8));
      outputTokens += tokensForText(args) + 5;
    } else {
      const formatted = responseTextFormat(body);
      let pieces = formatted !== undefined ? splitEvenly(formatted, 8) : wordsToDeltas(completionWords(promptText, 0));
      const maxOut = body['max_output_tokens'];
      if (typeof maxOut === 'number' && maxOut >= 1 && pieces.length + reasoning > maxOut) {
        pieces = pieces.slice(0, Math.max(1, maxOut - reasoning));
        status = 'incomplete';
        incomplete = { reason: 'max_output_tokens' };
      }
      if (forcedFinish === 'length' || forcedFinish === 'content_filter') {
        pieces = pieces.slice(0, Math.max(1, Math.ceil(pieces.length / 2)));
        status = 'incomplete';
        incomplete = { reason: forcedFinish === 'length' ? 'max_output_tokens' : 'content_filter' };
      }
      output.push({
        id: `msg_${hex(24)}`,
        type: 'message',
        status: status === 'completed' ? 'completed' : 'incomplete',
        content: [{ type: 'output_text', annotations: [], logprobs: [], text: pieces.join('') }],
        role: 'assistant',
      });
      deltas.push(pieces);
      outputTokens += pieces.length;
    }
    const format = body['text']?.['format'] ?? { type: 'text' };
    const response: Json = {
      id: `resp_${hex(24)}`,
      object: 'response',
      created_at: nowSeconds(),
      status,
      background: body['background'] === true,
      error: null,
      incomplete_details: incomplete,
      instructions: body['instructions'] ?? null,
      max_output_tokens: body['max_output_tokens'] ?? null,
      max_tool_calls: body['max_tool_calls'] ?? null,
      model,
      output,
      parallel_tool_calls: body['parallel_tool_calls'] ?? true,
      previous_response_id: body['previous_response_id'] ?? null,
      prompt_cache_key: body['prompt_cache_key'] ?? null,
      reasoning: { effort: body['reasoning']?.['effort'] ?? null, summary: body['reasoning']?.['summary'] ?? null },
      safety_identifier: body['safety_identifier'] ?? null,
      ...(typeof body['service_tier'] === 'string' ? serviceTier(body) : {}),
      store: body['store'] ?? true,
      temperature: body['temperature'] ?? 1,
      text: { format, verbosity: body['text']?.['verbosity'] ?? 'medium' },
      tool_choice: body['tool_choice'] ?? 'auto',
      tools: Array.isArray(body['tools']) ? body['tools'] : [],
      top_logprobs: body['top_logprobs'] ?? 0,
      top_p: body['top_p'] ?? 1,
      truncation: body['truncation'] ?? 'disabled',
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: cachedTokens(inputTokens, body) },
        output_tokens: outputTokens,
        output_tokens_details: { reasoning_tokens: reasoning },
        total_tokens: inputTokens + outputTokens,
      },
      user: body['user'] ?? null,
      metadata: body['metadata'] ?? {},
    };
    if (fault?.kind === 'output') {
      response['output'] = fault.items;
      if (fault.omitStatus) delete response['status'];
      return { response, deltas: fault.items.map(() => []) };
    }
    return { response, deltas };
  }

  /** The SSE frames of a streamed response, ending with response.completed / response.incomplete. */
  function responseFrames(response: Json, deltas: string[][]): { frames: string[]; errorFrame: (seq: number) => string } {
    let seq = 0;
    const frames: string[] = [];
    const emit = (type: string, data: Json): void => {
      frames.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: seq++ })}\n\n`);
    };
    const pending = {
      ...response,
      status: 'in_progress',
      incomplete_details: null,
      output: [],
      usage: null,
    };
    emit('response.created', { response: pending });
    emit('response.in_progress', { response: pending });
    (response['output'] as Json[]).forEach((item, outputIndex) => {
      const pieces = deltas[outputIndex] ?? [];
      if (item['type'] === 'message') {
        const part = item['content'][0] as Json;
        emit('response.output_item.added', {
          output_index: outputIndex,
          item: { id: item['id'], type: 'message', status: 'in_progress', content: [], role: 'assistant' },
        });
        emit('response.content_part.added', {
          item_id: item['id'],
          output_index: outputIndex,
          content_index: 0,
          part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
        });
        for (const delta of pieces) {
          emit('response.output_text.delta', { item_id: item['id'], output_index: outputIndex, content_index: 0, delta, logprobs: [] });
        }
        emit('response.output_text.done', {
          item_id: item['id'],
          output_index: outputIndex,
          content_index: 0,
          text: part['text'],
          logprobs: [],
        });
        emit('response.content_part.done', { item_id: item['id'], output_index: outputIndex, content_index: 0, part });
        emit('response.output_item.done', { output_index: outputIndex, item });
      } else if (item['type'] === 'function_call') {
        emit('response.output_item.added', {
          output_index: outputIndex,
          item: { ...item, status: 'in_progress', arguments: '' },
        });
        for (const delta of pieces) {
          emit('response.function_call_arguments.delta', { item_id: item['id'], output_index: outputIndex, delta });
        }
        emit('response.function_call_arguments.done', {
          item_id: item['id'],
          output_index: outputIndex,
          name: item['name'],
          arguments: item['arguments'],
        });
        emit('response.output_item.done', { output_index: outputIndex, item });
      } else {
        emit('response.output_item.added', { output_index: outputIndex, item });
        emit('response.output_item.done', { output_index: outputIndex, item });
      }
    });
    emit(response['status'] === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
    const errorFrame = (at: number): string => {
      const error = {
        type: 'server_error',
        code: 'server_error',
        message: 'The server had an error while processing your request. Sorry about that!',
        param: null,
      };
      // Flat fields match the published ResponseErrorEvent; the nested `error` is what the API sends.
      return `event: error\ndata: ${JSON.stringify({ type: 'error', code: error.code, message: error.message, param: null, error, sequence_number: at })}\n\n`;
    };
    return { frames, errorFrame };
  }

  function storeResponse(response: Json): void {
    storedResponses.set(response['id'], response);
    if (storedResponses.size > MAX_STORED_RESPONSES) {
      const oldest = storedResponses.keys().next().value;
      if (oldest !== undefined) storedResponses.delete(oldest);
    }
  }

  async function responsesCreate(ex: Exchange, body: Json): Promise<void> {
    const { response, deltas } = buildResponse(body, ex.fault);
    storeResponse(response);
    if (body['stream'] !== true) return respondJson(ex, response);
    const { frames, errorFrame } = responseFrames(response, deltas);
    const at = ex.fault?.kind === 'midStreamError' ? Math.min(ex.fault.afterChunks, frames.length) : 0;
    return respondSse(ex, frames, errorFrame(at), false);
  }

  async function responsesRetrieve(ex: Exchange, id: string, url: URL): Promise<void> {
    const response = storedResponses.get(id);
    if (!response) {
      throw new HttpError(404, errorBody(`Response with id '${id}' not found.`, 'invalid_request_error', null, 'response_id'));
    }
    if (url.searchParams.get('stream') !== 'true') return respondJson(ex, response);
    const deltas = (response['output'] as Json[]).map((item) =>
      item['type'] === 'message'
        ? splitEvenly(String(item['content'][0]['text']), 8)
        : item['type'] === 'function_call'
          ? splitEvenly(String(item['arguments']), 8)
          : [],
    );
    const { frames, errorFrame } = responseFrames(response, deltas);
    const after = Number(url.searchParams.get('starting_after') ?? NaN);
    const kept = Number.isFinite(after) ? frames.slice(after + 1) : frames;
    return respondSse(ex, kept, errorFrame(0), false);
  }

  // ---------------------------------------------------------------- embeddings

  function embeddingVector(text: string, dims: number): Float32Array {
    const out = new Float32Array(dims);
    let seed = createHash('sha256').update(text).digest().readUInt32LE(0) || 1;
    let norm = 0;
    for (let i = 0; i < dims; i++) {
      // xorshift32
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      const v = seed / 0xffffffff - 0.5;
      out[i] = v;
      norm += v * v;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 1;
    for (let i = 0; i < dims; i++) out[i] = out[i]! * scale;
    return out;
  }

  async function embeddings(ex: Exchange, body: Json): Promise<void> {
    const model = requireModel(body);
    const input = body['input'];
    let inputs: string[];
    let tokens = 0;
    if (typeof input === 'string') inputs = [input];
    else if (Array.isArray(input) && input.every((x) => typeof x === 'string')) inputs = input as string[];
    else if (Array.isArray(input) && input.every((x) => typeof x === 'number')) inputs = [JSON.stringify(input)];
    else if (Array.isArray(input) && input.every((x) => Array.isArray(x))) inputs = (input as unknown[]).map((x) => JSON.stringify(x));
    else throw badRequest("'input' is a required property", 'input');
    if (inputs.length === 0 || inputs.length > MAX_EMBEDDING_INPUTS) {
      throw badRequest(`'input' must contain between 1 and ${MAX_EMBEDDING_INPUTS} items.`, 'input');
    }
    const defaultDims = model.includes('large') ? 3072 : 1536;
    const dims = body['dimensions'] ?? defaultDims;
    if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > MAX_EMBEDDING_DIMENSIONS) {
      throw badRequest(`'dimensions' must be an integer between 1 and ${MAX_EMBEDDING_DIMENSIONS}.`, 'dimensions');
    }
    const format = body['encoding_format'] ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      throw badRequest(`Invalid value for 'encoding_format': '${String(format)}'.`, 'encoding_format', 'invalid_value');
    }
    const data = inputs.map((text, index) => {
      tokens += Math.max(1, tokensForText(text));
      const vec = embeddingVector(text, dims);
      const embedding =
        format === 'base64' ? Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength).toString('base64') : Array.from(vec);
      return { object: 'embedding', index, embedding };
    });
    return respondJson(ex, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  // ---------------------------------------------------------------- lifecycle

  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    requests,
    script(...more: Fault[]) {
      faults.push(...more);
    },
    clear() {
      requests.length = 0;
      faults = [];
      storedResponses.clear();
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server.closeAllConnections();
      });
    },
  };
}

// `node tools/openai-server.ts [port]` runs it standalone (prints the base URL; Ctrl-C stops it).
if (import.meta.main) {
  const port = Number(process.argv[2] ?? process.env['OPENAI_SERVER_PORT'] ?? 0);
  const server = await startOpenAIServer({ port: Number.isFinite(port) ? port : 0 });
  process.stdout.write(`${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
