/** What the Runtime API emulator queues, answers with and routes: the shapes shared with the sandbox and the Extensions API. */
import type http from 'node:http';

export interface PendingInvocation {
  requestId: string;
  /** The event, already serialized as JSON. */
  body: string;
  /** Milliseconds the function may run; the deadline is set when the event is delivered. */
  timeoutMs: number;
  functionArn: string;
  traceHeader: string;
  /** JSON text for `Lambda-Runtime-Client-Context`. */
  clientContext?: string;
  /** JSON text for `Lambda-Runtime-Cognito-Identity`. */
  cognitoIdentity?: string;
}

export type InvocationOutcome =
  // `at` and `deliveredAt` are performance.now() values; `deadlineMs` is epoch ms (the header).
  | { kind: 'response'; body: string; streaming: boolean; at: number; firstByteAt?: number; contentType?: string }
  | { kind: 'error'; body: string; errorType: string | undefined; at: number }
  /** Ended by the sandbox (timeout, process exit, init error): no answer from the runtime. */
  | { kind: 'aborted'; reason: string; error?: AbortError; at: number };

/** How the sandbox describes an invocation it ended itself (e.g. Sandbox.Timedout, Runtime.ExitError). */
export interface AbortError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface InitError {
  body: string;
  errorType: string | undefined;
}

export interface Participant {
  kind: 'runtime' | 'extension';
  name: string;
  /** Parked in its `next` long-poll. */
  waiting: boolean;
}

export type RouteHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  match: RegExpExecArray,
  body: Buffer,
  /** When the first body byte arrived: for a streamed response, when the client would have seen it. */
  firstDataAt: number | undefined,
) => void;
