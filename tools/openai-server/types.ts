/** The server's public shapes, and the explicit state its request handlers share. */
import type { IncomingMessage, ServerResponse } from 'node:http';

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

export type Json = Record<string, any>;

/** What one running server knows; every handler gets it through its {@link Exchange}. */
export interface ServerState {
  readonly chunkDelayMs: number;
  readonly requests: RecordedRequest[];
  /** Pending scripted faults, consumed one per request. */
  faults: Fault[];
  /** Created responses, for `GET /v1/responses/{id}`; oldest dropped first. */
  readonly storedResponses: Map<string, Json>;
  closed: boolean;
}

/** Context of one in-flight request. */
export interface Exchange {
  state: ServerState;
  req: IncomingMessage;
  res: ServerResponse;
  fault: Fault | undefined;
  startedAt: number;
  requestId: string;
  /** The response was closed (finished, or the peer went away). */
  closed: boolean;
}
