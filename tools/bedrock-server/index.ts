/**
 * A local Amazon Bedrock Runtime-compatible server for tests and local runs. The real
 * `@aws-sdk/client-bedrock-runtime` talks to it unmodified (point `endpoint` at `url`, any static
 * credentials): Converse, ConverseStream, InvokeModel (Anthropic Claude, Amazon Nova, Meta Llama, Mistral,
 * Cohere Command, Titan and Cohere embeddings) and InvokeModelWithResponseStream, with event streams as real
 * `application/vnd.amazon.eventstream` frames, and scripted faults (see {@link Fault}).
 *
 * One loopback port speaks both cleartext HTTP/2 (the SDK's default `NodeHttp2Handler`, prior knowledge) and
 * HTTP/1.1 (`NodeHttpHandler`): the first bytes of a connection pick the protocol. SigV4-signed requests are
 * accepted without checking the signature, and the signature is never recorded or logged.
 */
import { createServer as createHttp1, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createNet, type Socket } from 'node:net';
import { handle } from './router.ts';
import { createState, resetState, type ServerState } from './state.ts';
import { exchange } from './wire.ts';
import type { BedrockServer, BedrockServerOptions, Fault } from './types.ts';

export { FAULTS } from './types.ts';
export type { BedrockServer, BedrockServerOptions, Fault, RecordedRequest } from './types.ts';
export { BEDROCK_MARKER, GUARDRAIL_MESSAGE } from './text.ts';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');

export async function startBedrockServer(options: BedrockServerOptions = {}): Promise<BedrockServer> {
  const state = createState(options.eventDelayMs ?? 2);
  const onRequest = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    const ex = exchange(req, res);
    handle(state, ex).catch(() => ex.res.destroy());
  };
  const h1 = createHttp1(onRequest);
  const h2 = createHttp2(onRequest);
  // A stream reset by the client (a caller that broke out of a stream) is not a server failure.
  h2.on('sessionError', () => {});
  h2.on('session', (session) => session.on('error', () => {}));
  const listener = createNet((socket) => dispatch(state, socket, h1, h2));
  await new Promise<void>((resolve) => listener.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return handleFor(state, listener, port);
}

/** Reads the first bytes, puts them back, and gives the socket to the server that speaks its protocol. */
function dispatch(state: ServerState, socket: Socket, h1: ReturnType<typeof createHttp1>, h2: ReturnType<typeof createHttp2>): void {
  state.sockets.add(socket);
  socket.on('close', () => state.sockets.delete(socket));
  socket.on('error', () => {});
  socket.once('data', (first: Buffer) => {
    socket.pause();
    socket.unshift(first);
    const isH2 = first.subarray(0, H2_PREFACE.length).equals(H2_PREFACE);
    (isH2 ? h2 : h1).emit('connection', socket);
    process.nextTick(() => socket.resume());
  });
}

function handleFor(state: ServerState, listener: ReturnType<typeof createNet>, port: number): BedrockServer {
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: state.requests,
    script(...faults: Fault[]) {
      state.pending.push(...faults);
    },
    always(fault: Fault | undefined) {
      state.standing = fault;
    },
    clear() {
      resetState(state);
    },
    close() {
      if (state.closed) return Promise.resolve();
      state.closed = true;
      return new Promise<void>((resolve) => {
        listener.close(() => resolve());
        for (const socket of state.sockets) socket.destroy();
        state.sockets.clear();
      });
    },
  };
}

// `node tools/bedrock-server/index.ts [port]` runs it standalone (prints the endpoint URL; Ctrl-C stops it).
if (import.meta.main) {
  const port = Number(process.argv[2] ?? process.env['BEDROCK_SERVER_PORT'] ?? 0);
  const server = await startBedrockServer({ port: Number.isFinite(port) ? port : 0 });
  process.stdout.write(`${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
