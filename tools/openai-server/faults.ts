/** Scripted faults that answer before any endpoint runs: a reset, or an error status. */
import { errorBody } from './errors.ts';
import { destroySocket, sendJson } from './http.ts';
import type { Exchange } from './types.ts';

/** Answers the request as its scripted fault says, when that fault is a reset or a status; false otherwise. */
export function answerFault(ex: Exchange): boolean {
  const fault = ex.fault;
  if (fault?.kind === 'reset') {
    destroySocket(ex);
    return true;
  }
  if (fault?.kind !== 'status') return false;
  const defaults = defaultStatusError(fault.status);
  const extra: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) extra['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) extra['retry-after-ms'] = String(fault.retryAfterMs);
  sendJson(
    ex,
    fault.status,
    errorBody(fault.message ?? defaults.message, fault.type ?? defaults.type, fault.code ?? defaults.code),
    extra,
  );
  return true;
}

function defaultStatusError(status: number): { type: string; code: string | null; message: string } {
  switch (status) {
    case 400:
      return { type: 'invalid_request_error', code: null, message: 'Invalid request.' };
    case 401:
      return {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
      };
    case 403:
      return { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Forbidden.' };
    case 404:
      return { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' };
    case 408:
      return { type: 'server_error', code: 'timeout', message: 'Request timed out.' };
    case 409:
      return { type: 'invalid_request_error', code: 'conflict', message: 'Conflict.' };
    case 422:
      return { type: 'invalid_request_error', code: null, message: 'Unprocessable entity.' };
    case 429:
      return {
        type: 'requests',
        code: 'rate_limit_exceeded',
        message: 'Rate limit reached for requests. Please try again later.',
      };
    case 503:
      return { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' };
    default:
      return status >= 500
        ? { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' }
        : { type: 'invalid_request_error', code: null, message: `Request failed with status ${status}.` };
  }
}
