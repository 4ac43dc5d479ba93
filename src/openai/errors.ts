/**
 * A low-cardinality `error.type` for what an OpenAI call can throw. Duck-typed on status, message and code,
 * never on class identity or name: the ESM and CJS builds of the SDK have distinct classes, and minified bundles
 * rename them.
 */
export function openAIErrorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '_OTHER';
  const e = error as { status?: unknown; message?: unknown; code?: unknown; name?: unknown; cause?: { code?: unknown } };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  if (status === 429) return 'rate_limit';
  if (status === 408) return 'timeout';
  if (status !== undefined && status >= 400) return String(status);
  if (/timed out/i.test(message)) return 'timeout';
  if (e.name === 'AbortError' || /was aborted/i.test(message)) return 'aborted';
  // A reset in the middle of a stream: undici says `terminated`, node-fetch (openai v4) `Premature close`. Not
  // undici's `fetch failed`, whose cause can be the same socket error: that one came before any response.
  if (message === 'terminated' || message === 'Premature close' || e.code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return 'stream_interrupted';
  }
  if (/^Connection error/i.test(message) || /fetch failed|socket hang up|ECONNREFUSED|ECONNRESET/i.test(message)) return 'connection_error';
  // An error event inside a stream: an APIError with no status.
  if ('error' in e && status === undefined) return 'stream_error';
  return '_OTHER';
}
