import type { Socket } from 'node:net';
import { type ResponseError, responseReader, type Http1Response } from './response.js';

/** How one exchange ended: a response, a socket or framing error (with whether the answer had begun), or the deadline. */
export type Exchange = { response: Http1Response } | { error: NodeJS.ErrnoException | ResponseError; answered: boolean } | { timedOut: true };

export interface Http1Client {
  /** Without `timeoutMillis`, the answer is waited for as long as it takes (a long poll). */
  request(head: string, body: Uint8Array, timeoutMillis?: number): Promise<Exchange>;
  /** Opens a connection ahead of the next request, in the event loop's next check phase, unless one is open. */
  warm(): void;
  close(): void;
}

/** A reused keep-alive connection that the server had closed meanwhile fails like this, before any byte of answer. */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * A minimal HTTP/1.1 client for one origin, over the sockets `connect` opens (`node:net`, or `node:tls` for
 * https): the request written at once, its answer read by `responseReader`, a deadline per request, keep-alive
 * connections kept idle between exports (unref'd, dropped when the server closes them). Loading and driving
 * `node:http` costs the first export of a cold start some 4 ms more (its modules, ClientRequest, the agent, its
 * parser). A request on a reused connection that the server had closed is sent once more on a new one: none of
 * it can have been processed.
 */
export function http1Client(connect: () => Socket, maxBody: number): Http1Client {
  const idle: Socket[] = [];
  const open = new Set<Socket>();
  // Set when the last connection attempt failed before connecting (a dead collector): warming up would only
  // repeat the failure on every invocation, at some 0.15 ms each. The export's own attempts still try.
  let unreachable = false;

  const opened = (): Socket => {
    const socket = connect();
    open.add(socket);
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      unreachable = false;
    });
    // Errors are handled while a request is in flight and while idle; one after we destroyed it must not throw.
    socket.on('error', ignore).once('close', () => {
      if (!connected) unreachable = true;
      open.delete(socket);
      const i = idle.indexOf(socket);
      if (i >= 0) idle.splice(i, 1);
    });
    return socket;
  };
  const takeIdle = (): Socket | undefined => {
    for (let socket = idle.pop(); socket; socket = idle.pop()) {
      socket.off('data', onIdleEvent).off('end', onIdleEvent).off('error', onIdleEvent);
      if (!socket.destroyed && socket.writable && socket.readable) return socket.ref();
      socket.destroy();
    }
    return undefined;
  };
  const release = (socket: Socket): void => {
    socket.unref().on('data', onIdleEvent).on('end', onIdleEvent).on('error', onIdleEvent);
    idle.push(socket);
  };

  return {
    async request(head, body, timeoutMillis) {
      const deadline = timeoutMillis === undefined ? undefined : Date.now() + timeoutMillis;
      const reused = takeIdle();
      const first = await exchange(reused ?? opened(), head, body, timeoutMillis, maxBody, release);
      if (!reused || !('error' in first) || first.answered || !STALE_CODES.has(String((first.error as NodeJS.ErrnoException).code))) return first;
      return exchange(opened(), head, body, deadline === undefined ? undefined : Math.max(0, deadline - Date.now()), maxBody, release);
    },
    warm() {
      if (open.size > 0 || unreachable) return;
      setImmediate(() => {
        if (open.size === 0) release(opened());
      });
    },
    close() {
      for (const socket of open) socket.destroy();
      open.clear();
      idle.length = 0;
    },
  };
}

/** Writes one request on `socket` and reads its answer; the socket is then released for reuse or destroyed. */
function exchange(
  socket: Socket,
  head: string,
  body: Uint8Array,
  timeoutMillis: number | undefined,
  maxBody: number,
  release: (s: Socket) => void,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const reader = responseReader(maxBody);
    const settle = (outcome: Exchange, keep: boolean) => {
      clearTimeout(timer);
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
      if (keep) release(socket);
      else socket.destroy();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      try {
        const response = reader.feed(chunk);
        if (response) settle({ response }, response.reusable);
      } catch (error) {
        settle({ error: error as ResponseError, answered: true }, false);
      }
    };
    const onEnd = () => {
      const response = reader.end();
      if (response) return settle({ response }, false);
      const error: NodeJS.ErrnoException = new Error(reader.started() ? 'aborted' : 'socket hang up');
      error.code = 'ECONNRESET';
      settle({ error, answered: reader.started() }, false);
    };
    const onError = (error: NodeJS.ErrnoException) => settle({ error, answered: reader.started() }, false);
    const timer = timeoutMillis === undefined ? undefined : setTimeout(() => settle({ timedOut: true }, false), timeoutMillis);
    socket.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onError);
    socket.cork();
    socket.write(head, 'latin1');
    socket.write(body);
    socket.uncork();
  });
}

function ignore(): void {}

/** Anything an idle connection hears (the server closing it, stray bytes) ends it. */
function onIdleEvent(this: Socket): void {
  this.destroy();
}
