/**
 * Scripted faults of the local Anthropic server, and the API's error bodies they answer with.
 *
 * A test scripts faults for the next requests, one each in arrival order (`script`), or one fault for every
 * request until cleared (`always`): "429 once" is `script({ kind: 'status', status: 429 })`, "529 overloaded
 * always" is `always({ kind: 'status', status: 529 })`.
 */

export type Fault =
  /** An error status with the API's error body; `retryAfterMs` adds `retry-after-ms` (the SDKs honour it). */
  | { kind: 'status'; status: number; type?: string; message?: string; retryAfterMs?: number }
  /** The connection is destroyed before any response. */
  | { kind: 'reset' }
  /** The whole answer waits `ms`. */
  | { kind: 'delay'; ms: number }
  /** Headers at once, the first event (or the JSON body) after `ms`. */
  | { kind: 'slowFirstChunk'; ms: number }
  /** A streamed answer sends `afterEvents` events, then an `error` event, then ends. */
  | { kind: 'midStreamError'; afterEvents: number; type?: string; message?: string }
  /** A streamed answer sends `afterEvents` events, then the connection is destroyed (a JSON one: half its body). */
  | { kind: 'midStreamReset'; afterEvents: number }
  /** The answer stops as if `max_tokens` were reached after `tokens` output tokens (default 3). */
  | { kind: 'maxTokens'; tokens?: number };

export interface ApiErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'],
  500: ['api_error', 'Internal server error.'],
  529: ['overloaded_error', 'Overloaded'],
};

/** The API's error body for `status` (type and message overridable). */
export function errorBody(status: number, requestId: string, type?: string, message?: string): ApiErrorBody {
  const [defType, defMessage] = ERROR_TYPES[status] ?? ['api_error', `HTTP ${status}`];
  return { type: 'error', error: { type: type ?? defType, message: message ?? defMessage }, request_id: requestId };
}

/** The event body of a mid-stream `error` event, as the API sends it (no request id there). */
export function errorEvent(type = 'overloaded_error', message = 'Overloaded'): ApiErrorBody {
  return { type: 'error', error: { type, message } };
}

/** A request the server refuses, thrown by the endpoint handlers and answered by the router. */
export class HttpError extends Error {
  readonly status: number;
  readonly type: string | undefined;
  constructor(status: number, message: string, type?: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message, 'invalid_request_error');

/** The queue of scripted faults: explicit state, one instance per server. */
export class FaultScript {
  #queue: Fault[] = [];
  #always: Fault | undefined;

  script(...faults: Fault[]): void {
    this.#queue.push(...faults);
  }

  always(fault: Fault | undefined): void {
    this.#always = fault;
  }

  /** The fault for the request that just arrived. */
  next(): Fault | undefined {
    return this.#queue.shift() ?? this.#always;
  }

  clear(): void {
    this.#queue = [];
    this.#always = undefined;
  }
}
