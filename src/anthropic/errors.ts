import { statusErrorType, transportErrorType } from '../genai/errors.js';
import { obj, own, str } from '../util.js';

/** The API's error types, which also arrive as an `error` event inside a stream, in the shared vocabulary. */
const API_ERROR_TYPES: Readonly<Record<string, string>> = {
  overloaded_error: 'overloaded',
  rate_limit_error: 'rate_limit',
  api_error: 'api_error',
  timeout_error: 'timeout',
};

/** The `error.type` of an API error body (`{ type: 'error', error: { type } }`), when it has one. */
function bodyErrorType(body: unknown): string | undefined {
  const type = str(obj(obj(body)?.error)?.type);
  return type ? (own(API_ERROR_TYPES, type) ?? 'stream_error') : undefined;
}

/** 0.3x reports a stream's `error` event as a connection error whose message is the event's raw JSON. */
function rawEventErrorType(message: unknown): string | undefined {
  if (typeof message !== 'string' || !message.startsWith('{')) return undefined;
  try {
    return bodyErrorType(JSON.parse(message));
  } catch {
    return undefined;
  }
}

/**
 * A low-cardinality `error.type` for what an Anthropic call can throw, duck-typed on status, body, message and
 * code (see `genai/errors.ts` for why never on classes): `overloaded` for 529 and an overloaded event in a
 * stream, `rate_limit`, `timeout`, `connection_error`, `stream_interrupted`, `aborted`, or the status code.
 */
export function anthropicErrorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '_OTHER';
  const e = error as { status?: unknown; message?: unknown; code?: unknown; name?: unknown; error?: unknown };
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === 529) return 'overloaded';
  if (status !== undefined && status >= 400) return statusErrorType(status);
  // An error event inside a stream: the event's body (0.5x on), or its raw JSON as the message (0.3x).
  const fromEvent = status === undefined ? (bodyErrorType(e.error) ?? rawEventErrorType(e.message)) : undefined;
  return fromEvent ?? transportErrorType(e) ?? '_OTHER';
}
