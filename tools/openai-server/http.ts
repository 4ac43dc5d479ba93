/** HTTP and SSE plumbing: reading bodies, OpenAI's headers, and answers that honour the request's fault. */
import type { IncomingMessage } from 'node:http';
import { errorBody, HttpError } from './errors.ts';
import { sleep } from './model.ts';
import type { Exchange } from './types.ts';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
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

export function baseHeaders(ex: Exchange): Record<string, string> {
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

export function sendJson(ex: Exchange, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
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

export function destroySocket(ex: Exchange): void {
  ex.res.socket?.destroy();
  ex.res.destroy();
}

/** Writes a string and resolves once it has been handed to the kernel (or the socket is gone). */
export function write(ex: Exchange, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (ex.res.destroyed || ex.res.writableEnded) return resolve();
    ex.res.write(data, () => resolve());
  });
}

export function gone(ex: Exchange): boolean {
  return ex.state.closed || ex.closed || ex.res.destroyed || ex.res.writableEnded;
}

/** Sends a complete (non-streamed) JSON body, honouring the request's fault. */
export async function respondJson(ex: Exchange, body: unknown): Promise<void> {
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
      await sleep(ex.state.chunkDelayMs);
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
export async function respondSse(ex: Exchange, frames: string[], errorFrame: string, done: boolean): Promise<void> {
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
      await sleep(ex.state.chunkDelayMs);
      destroySocket(ex);
      return;
    }
    if (fault?.kind === 'midStreamError' && i === fault.afterChunks) {
      await write(ex, errorFrame);
      if (!gone(ex)) ex.res.end();
      return;
    }
    if (i === 0 && fault?.kind === 'slowFirstChunk') await sleep(fault.ms);
    else if (i > 0 && ex.state.chunkDelayMs > 0) await sleep(ex.state.chunkDelayMs);
    if (gone(ex)) return;
    await write(ex, all[i]!);
  }
  if (fault?.kind === 'midStreamReset') {
    // afterChunks ≥ number of frames: everything was sent, then the connection dies before the end.
    await sleep(ex.state.chunkDelayMs);
    destroySocket(ex);
    return;
  }
  if (fault?.kind === 'midStreamError') {
    await write(ex, errorFrame);
  }
  if (!gone(ex)) ex.res.end();
}
