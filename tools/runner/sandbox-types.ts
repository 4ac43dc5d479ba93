/** The shapes a sandbox is configured with and answers in. */
import type { RuntimeClient } from './client.ts';

export interface SandboxConfig {
  functionName: string;
  handler: string;
  /** Task root: the directory holding the built bundle. */
  codeDir: string;
  timeoutSeconds: number;
  memoryMB: number;
  /** The function's own variables (template, --env-vars, explicit), applied over Lambda's defaults. */
  environment: Record<string, string>;
  region: string;
  client: RuntimeClient;
  nodeBinary: string;
  freeze: boolean;
}

export interface InvokeOptions {
  clientContext?: unknown;
  /** Cognito identity (JSON-serialized into Lambda-Runtime-Cognito-Identity). */
  identity?: unknown;
  /** X-Ray header; a fresh sampled one is generated when absent. */
  traceHeader?: string;
}

export interface InvokeResult {
  requestId: string;
  result?: unknown;
  error?: { errorType: string; errorMessage: string; trace?: string[] };
  timedOut: boolean;
  durationMs: number;
  initDurationMs?: number;
  coldStart: boolean;
  logs: string;
  /** Lambda's REPORT line for this invocation. */
  report: string;
  /** Peak RSS of the sandbox process so far, in MB, when it could be read. */
  maxMemoryUsedMB?: number;
  /**
   * How long the sandbox stayed thawed after the response, until the runtime and every extension asked for
   * their next event (what Lambda bills as post-runtime duration).
   */
  postRuntimeMs?: number;
  /** A response-streaming invocation: what the client received, and when its first byte came. */
  streamed?: { firstByteMs: number | undefined; contentType: string | undefined; prelude?: unknown; body: string };
}

export interface FreezeRecord {
  frozenAt: number;
  thawedAt?: number;
}
