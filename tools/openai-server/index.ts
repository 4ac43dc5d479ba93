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
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './errors.ts';
import { sendJson } from './http.ts';
import { hex } from './model.ts';
import { handle } from './router.ts';
import type { Fault, OpenAIServer, OpenAIServerOptions, ServerState } from './types.ts';

export { MARKER, resolveModel } from './model.ts';
export { sampleFromSchema } from './schema.ts';
export type { Fault, OpenAIServer, OpenAIServerOptions, RecordedRequest } from './types.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startOpenAIServer(opts: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`openai-server: refusing to listen on non-loopback host ${JSON.stringify(host)}`);
  }
  const state: ServerState = {
    chunkDelayMs: Math.max(0, opts.chunkDelayMs ?? 2),
    requests: [],
    faults: [],
    storedResponses: new Map(),
    closed: false,
  };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(state, req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        sendJson(
          { state, req, res, fault: undefined, startedAt: Date.now(), requestId: `req_${hex(16)}`, closed: false },
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
  await listen(server, opts.port ?? 0, host);
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('openai-server: unexpected listen address');
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}/v1`,
    port: address.port,
    requests: state.requests,
    script(...more: Fault[]) {
      state.faults.push(...more);
    },
    clear() {
      state.requests.length = 0;
      state.faults = [];
      state.storedResponses.clear();
    },
    close() {
      if (state.closed) return Promise.resolve();
      state.closed = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
