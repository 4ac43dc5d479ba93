/** OpenAI-shaped error bodies, and the error a handler throws to answer with one. */
import type { Json } from './types.ts';

export function errorBody(message: string, type: string, code: string | null, param: string | null = null): Json {
  return { error: { message, type, param, code } };
}

export class HttpError extends Error {
  status: number;
  body: Json;
  constructor(status: number, body: Json) {
    super(String((body['error'] as Json | undefined)?.['message'] ?? status));
    this.status = status;
    this.body = body;
  }
}

export function badRequest(message: string, param: string | null = null, code: string | null = null): HttpError {
  return new HttpError(400, errorBody(message, 'invalid_request_error', code, param));
}
