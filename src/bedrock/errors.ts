import { own } from '../util.js';

/**
 * A low-cardinality `error.type` for what a Bedrock call can throw, from the fields the SDK sets on its errors
 * (`name`, `$fault`, `$metadata.httpStatusCode`) and Node's error codes. `name` is an own string property the
 * SDK assigns (`ThrottlingException`), so it survives minification; the class (`constructor.name`) does not and
 * is never read.
 */
const BY_NAME: Record<string, string> = {
  ThrottlingException: 'throttling',
  ServiceQuotaExceededException: 'quota_exceeded',
  ValidationException: 'validation',
  AccessDeniedException: 'access_denied',
  ResourceNotFoundException: 'not_found',
  ModelNotReadyException: 'model_not_ready',
  ModelTimeoutException: 'timeout',
  TimeoutError: 'timeout',
  ModelErrorException: 'model_error',
  ModelStreamErrorException: 'model_stream_error',
  ConflictException: 'conflict',
  AbortError: 'aborted',
};

/** Stream exceptions arrive without an HTTP status; these are named for what Bedrock said. */
const STREAM_SERVER_ERRORS: Record<string, string> = {
  InternalServerException: 'internal_server_error',
  ServiceUnavailableException: 'service_unavailable',
};

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function bedrockErrorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '_OTHER';
  const e = error as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  // The HTTP/2 handler names a connection closed before any response `TimeoutError` too; its message tells them apart.
  if (typeof e.message === 'string' && /did not get a response/.test(e.message)) return 'connection_error';
  const known = own(BY_NAME, name);
  if (known) return known;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 400) return String(status);
  const streamed = own(STREAM_SERVER_ERRORS, name);
  if (streamed) return streamed;
  const code = typeof e.code === 'string' ? e.code : '';
  // An HTTP/2 stream reset or a socket lost while the body was streaming.
  if (code === 'ERR_HTTP2_STREAM_ERROR' || code === 'ERR_HTTP2_STREAM_CANCEL') return 'stream_interrupted';
  if (/^(ECONNRESET|ECONNREFUSED|EPIPE|ENOTFOUND|EAI_AGAIN|ERR_HTTP2_)/.test(code)) return 'connection_error';
  if (code === 'ETIMEDOUT' || name === 'RequestTimeout') return 'timeout';
  return '_OTHER';
}
