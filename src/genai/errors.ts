/**
 * Building blocks for an adapter's `errorType`: the vocabulary every provider shares, derived from statuses,
 * codes and messages, never from class names (the SDKs' ESM and CJS builds have distinct classes, and minified
 * bundles rename them).
 */

/** `rate_limit` for 429, `timeout` for 408, else the status code itself. */
export function statusErrorType(status: number): string {
  if (status === 429) return 'rate_limit';
  if (status === 408) return 'timeout';
  return String(status);
}

/**
 * What went wrong below HTTP, from an error's message and code; undefined when it is none of these. A reset in
 * the middle of a stream reads `terminated` from undici and `Premature close` from node-fetch; undici's
 * `fetch failed`, whose cause can be the same socket error, came before any response.
 */
export function transportErrorType(error: { message?: unknown; code?: unknown; name?: unknown }): string | undefined {
  const message = typeof error.message === 'string' ? error.message : '';
  if (/timed out/i.test(message)) return 'timeout';
  if (error.name === 'AbortError' || /was aborted/i.test(message)) return 'aborted';
  if (message === 'terminated' || message === 'Premature close' || error.code === 'ERR_STREAM_PREMATURE_CLOSE') return 'stream_interrupted';
  if (/^Connection error/i.test(message) || /fetch failed|socket hang up|ECONNREFUSED|ECONNRESET/i.test(message)) return 'connection_error';
  return undefined;
}
