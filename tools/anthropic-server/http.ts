/**
 * HTTP and SSE plumbing of the local Anthropic-compatible server: reading a bounded body, sending JSON, writing
 * server-sent events one at a time, cutting a connection. Knows nothing of the Messages API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** One in-flight request: what the handlers need to answer it, and whether the peer is still there. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  startedAt: number;
  requestId: string;
  /** The response was closed (finished, or the peer went away). */
  closed: boolean;
}

export function newExchange(req: IncomingMessage, res: ServerResponse): Exchange {
  const ex: Exchange = { req, res, startedAt: Date.now(), requestId: `req_${alnum(24)}`, closed: false };
  res.on('close', () => {
    ex.closed = true;
  });
  return ex;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random ids in the shape the API uses (`msg_01…`, `toolu_01…`, `req_…`). */
export function alnum(len: number): string {
  let out = '';
  for (const b of randomBytes(len)) out += ALNUM[b % ALNUM.length];
  return out;
}

/** Unref'd: a pending fault delay must not keep a process alive after close(). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Reads the body up to {@link MAX_BODY_BYTES}; `tooLarge` says the rest was drained and dropped. */
export function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES }));
    req.on('error', reject);
  });
}

/** The headers every answer carries, as the real API sends them. */
function baseHeaders(ex: Exchange): Record<string, string> {
  return {
    'request-id': ex.requestId,
    'anthropic-organization-id': '00000000-0000-4000-8000-00000000a11e',
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': '3999',
  };
}

export function gone(ex: Exchange, serverClosed: boolean): boolean {
  return serverClosed || ex.closed || ex.res.destroyed || ex.res.writableEnded;
}

export function sendJson(ex: Exchange, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (ex.res.destroyed || ex.res.headersSent) return;
  const payload = JSON.stringify(body);
  ex.res.writeHead(status, {
    ...baseHeaders(ex),
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
    ...extra,
  });
  ex.res.end(payload);
}

/** Sends the status line and headers of a JSON body at once, so the body can follow later (or never). */
export function startJson(ex: Exchange): void {
  ex.res.writeHead(200, { ...baseHeaders(ex), 'content-type': 'application/json' });
  ex.res.flushHeaders();
}

export function startSse(ex: Exchange): void {
  ex.res.writeHead(200, { ...baseHeaders(ex), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  ex.res.flushHeaders();
}

/** One SSE frame with its `event:` line, which the SDK requires (frames without one are skipped). */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Writes and resolves once the data is handed to the kernel (or the socket is gone). */
export function write(ex: Exchange, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (ex.res.destroyed || ex.res.writableEnded) return resolve();
    ex.res.write(data, () => resolve());
  });
}

export function end(ex: Exchange, data?: string): void {
  if (!ex.res.destroyed && !ex.res.writableEnded) ex.res.end(data);
}

/** Cuts the connection without a proper end: the client sees a reset (or a premature close mid-body). */
export function destroySocket(ex: Exchange): void {
  ex.res.socket?.destroy();
  ex.res.destroy();
}
