/**
 * Shapes shared by the local Bedrock-compatible server's files: what a test scripts (faults), what the server
 * records (requests, with credentials and signatures left out) and the handle a test holds.
 */

/**
 * One scripted fault. `script()` queues faults for the next requests, one each, in arrival order;
 * `always()` applies one to every request until cleared.
 * - `error`: an HTTP error response shaped like Bedrock's (status, `x-amzn-errortype`, JSON `message`).
 * - `reset`: the connection is destroyed before any response.
 * - `delay`: the response is held for `ms` (for client timeouts).
 * - `slowFirstChunk`: a stream's headers go at once, its first event after `ms`.
 * - `midStreamReset`: after `afterEvents` events the stream dies: `rst` sends an HTTP/2 RST_STREAM, `drop`
 *   destroys the connection (on HTTP/1.1 both destroy the socket).
 * - `midStreamException`: after `afterEvents` events an exception frame (`type` is the stream member, e.g.
 *   `modelStreamErrorException`) ends the stream.
 * - `maxTokens`: the reply is cut short and stops for the token limit.
 * - `guardrailIntervened`: the reply is the guardrail's canned message and stops for the intervention.
 * - `truncatedStream`: the stream ends cleanly but without its final (stop/metadata) events.
 */
export type Fault =
  | { kind: 'error'; status: number; type: string; message?: string }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
  | { kind: 'slowFirstChunk'; ms: number }
  | { kind: 'midStreamReset'; afterEvents: number; how?: 'rst' | 'drop' }
  | { kind: 'midStreamException'; afterEvents: number; type: string; message?: string }
  | { kind: 'maxTokens' }
  | { kind: 'guardrailIntervened' }
  | { kind: 'truncatedStream' };

/** Ready-made faults for the errors Bedrock actually returns. */
export const FAULTS = {
  throttle: { kind: 'error', status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
  unavailable: { kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'Bedrock is unable to process your request.' },
  internal: { kind: 'error', status: 500, type: 'InternalServerException', message: 'The server encountered an internal error.' },
  validation: { kind: 'error', status: 400, type: 'ValidationException', message: 'Malformed input request, please reformat your input and try again.' },
  accessDenied: { kind: 'error', status: 403, type: 'AccessDeniedException', message: "You don't have access to the model with the specified model ID." },
  modelNotReady: { kind: 'error', status: 429, type: 'ModelNotReadyException', message: 'Model is not ready to serve inference requests.' },
  modelTimeout: { kind: 'error', status: 408, type: 'ModelTimeoutException', message: 'Model has timed out in processing the request.' },
  notFound: {
    kind: 'error',
    status: 404,
    type: 'ResourceNotFoundException',
    message: 'Could not resolve the foundation model from the provided model identifier.',
  },
} as const satisfies Record<string, Fault>;

/** Bedrock Runtime operations the server answers, named by their URL suffix. */
export type Operation = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';

export interface RecordedRequest {
  method: string;
  path: string;
  /** `h2` for the SDK's default handler, `http/1.1` for `NodeHttpHandler`. */
  protocol: 'h2' | 'http/1.1';
  operation: Operation | undefined;
  /** The model id or ARN, URL-decoded. */
  modelId: string | undefined;
  /** Request headers without `authorization`, `x-amz-security-token` and other credential-bearing ones. */
  headers: Record<string, string>;
  /** Whether an `authorization: AWS4-HMAC-SHA256 ...` header came (its value is never kept). */
  signed: boolean;
  /** Parsed JSON body, or the raw text when it is not JSON; `undefined` when empty. */
  body: unknown;
  /** Event-stream frames written so far for this request (grows while a stream is sent). */
  eventsSent: number;
}

export interface BedrockServer {
  /** `http://127.0.0.1:PORT` (pass as the client's `endpoint`). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  script(...faults: Fault[]): void;
  /** A fault for every request from now on; `undefined` stops it. Scripted faults go first. */
  always(fault: Fault | undefined): void;
  /** Forgets requests, faults and the prompt cache. */
  clear(): void;
  /** Closes the listener and destroys every connection, including ones in the middle of a stream. */
  close(): Promise<void>;
}

export interface BedrockServerOptions {
  port?: number;
  /** Spacing between stream events, in ms (default 2). */
  eventDelayMs?: number;
}

export type Json = Record<string, any>;
