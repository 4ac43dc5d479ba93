import { statusErrorType, transportErrorType } from '../genai/errors.js';

/**
 * A low-cardinality `error.type` for what an OpenAI call can throw, duck-typed on status, message and code
 * (see `genai/errors.ts` for why never on classes).
 */
export function openAIErrorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '_OTHER';
  const e = error as { status?: unknown; message?: unknown; code?: unknown; name?: unknown };
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status !== undefined && status >= 400) return statusErrorType(status);
  const transport = transportErrorType(e);
  if (transport) return transport;
  // An error event inside a stream: an APIError with no status.
  if ('error' in e && status === undefined) return 'stream_error';
  return '_OTHER';
}
