/**
 * Routes one request: reads and records it (credentials left out), applies the pre-response faults, then
 * hands it to the operation's file.
 */
import { converse } from './converse.ts';
import { converseStream } from './converse-stream.ts';
import { invokeModel } from './invoke-model.ts';
import { invokeStream } from './invoke-stream.ts';
import { record, takeFault, type ServerState } from './state.ts';
import { sleep } from './stream.ts';
import { kill, sendError, type Exchange } from './wire.ts';
import type { Json, Operation, RecordedRequest } from './types.ts';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SECRET_HEADERS = new Set(['authorization', 'x-amz-security-token', 'cookie', 'x-api-key']);
const OPERATIONS = new Set<string>(['converse', 'converse-stream', 'invoke', 'invoke-with-response-stream']);

class TooLarge extends Error {}

async function readBody(ex: Exchange): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ex.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function publicHeaders(ex: Exchange): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(ex.req.headers)) {
    if (name.startsWith(':') || SECRET_HEADERS.has(name) || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function route(path: string): { operation: Operation | undefined; modelId: string | undefined } {
  const match = /^\/model\/([^/]+)\/([a-z-]+)$/.exec(path);
  if (!match || !OPERATIONS.has(match[2]!)) return { operation: undefined, modelId: undefined };
  return { operation: match[2] as Operation, modelId: decodeURIComponent(match[1]!) };
}

function recorded(ex: Exchange, raw: Buffer): RecordedRequest {
  const path = (ex.req.url ?? '/').split('?')[0]!;
  const authorization = ex.req.headers['authorization'];
  return {
    method: ex.req.method ?? 'GET',
    path,
    protocol: ex.protocol,
    ...route(path),
    headers: publicHeaders(ex),
    signed: typeof authorization === 'string' && authorization.startsWith('AWS4-HMAC-SHA256 '),
    body: parseBody(raw),
    eventsSent: 0,
  };
}

export async function handle(state: ServerState, ex: Exchange): Promise<void> {
  let raw: Buffer;
  try {
    raw = await readBody(ex);
  } catch (error) {
    if (error instanceof TooLarge) return sendError(ex, 413, 'ValidationException', 'Input is too long for requested model.');
    return;
  }
  const request = recorded(ex, raw);
  record(state, request);
  ex.recorded = request;
  const fault = takeFault(state);
  if (fault?.kind === 'error') return sendError(ex, fault.status, fault.type, fault.message ?? fault.type);
  if (fault?.kind === 'reset') return kill(ex, 'drop');
  if (fault?.kind === 'delay') await sleep(fault.ms);
  const { operation, modelId } = request;
  if (request.method !== 'POST' || !operation || !modelId) {
    return sendError(ex, 404, 'UnknownOperationException', `No operation at ${request.method} ${request.path}.`);
  }
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Json;
  if (operation === 'converse') return converse(ex, state, body, fault);
  if (operation === 'converse-stream') return converseStream(ex, state, body, fault);
  if (operation === 'invoke') return invokeModel(ex, state, modelId, body, fault);
  return invokeStream(ex, state, modelId, body, fault);
}
