import { SpanKind, SpanStatusCode, context, createContextKey, trace } from '@opentelemetry/api';
import { recordError } from '../telemetry/errors.js';
import { openAIErrorType } from './errors.js';
import { getTracer } from '../telemetry/provider.js';
import { ATTR_HTTP_REQUEST_RESEND_COUNT, ATTR_LLM_OPENAI_REQUEST_ID, ATTR_URL_TEMPLATE } from '../genai/semconv.js';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '../telemetry/semconv.js';

export type Fetch = (url: unknown, init?: unknown) => Promise<unknown>;
interface ResponseLike {
  status?: unknown;
  headers?: { get?: (name: string) => string | null };
}

/** Counts the HTTP attempts of the model call whose context is active. */
const ATTEMPTS = createContextKey('lambda-llm-tracing.openai-attempts');
export interface AttemptCounter {
  count: number;
}
export const withAttemptCounter = (counter: AttemptCounter) => context.active().setValue(ATTEMPTS, counter);

/** The per-attempt retry header; the SDK passes a `Headers` (v5+) or a plain lower-cased object (v4). */
function retryCount(init: unknown): number | undefined {
  const headers = (init as { headers?: unknown } | undefined)?.headers as { get?: (n: string) => string | null } & Record<string, unknown>;
  if (!headers) return undefined;
  const raw = typeof headers.get === 'function' ? headers.get('x-stainless-retry-count') : headers['x-stainless-retry-count'];
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Ids in a path (`/responses/resp_…`) become `{id}` so the template stays low-cardinality. */
function template(pathname: string): string {
  return pathname.replace(/\/(resp|chatcmpl|file|batch|msg|run|thread|asst|vs|ft|ftjob)[-_][A-Za-z0-9_-]+/g, '/{id}');
}

/** node-fetch (openai v4) quotes the whole URL, query included, in its errors: record them without the query. */
function withoutQuery(error: unknown, url: string): unknown {
  const q = url.indexOf('?');
  if (q < 0 || !(error instanceof Error)) return error;
  const scrub = (text: string | undefined) => text?.split(url).join(url.slice(0, q));
  return Object.assign(new Error(scrub(error.message)), { name: error.name, stack: scrub(error.stack), code: (error as { code?: unknown }).code });
}

/**
 * Wraps the client's `fetch`, which the SDK calls once per attempt, retries included: each attempt becomes an
 * HTTP CLIENT span under the model span. Only the method, host, port, path template, status and request id are
 * recorded: never the query, the body, or any request header (the Authorization header is among them).
 */
export function traceFetch(original: Fetch): Fetch {
  return async function tracedFetch(url: unknown, init?: unknown): Promise<unknown> {
    let span;
    try {
      const parsed = new URL(String(url instanceof Request ? url.url : url));
      const method = String((init as { method?: unknown } | undefined)?.method ?? (url instanceof Request ? url.method : 'GET')).toUpperCase();
      const path = template(parsed.pathname);
      const resend = retryCount(init);
      const parent = context.active();
      const counter = parent.getValue(ATTEMPTS) as AttemptCounter | undefined;
      if (counter) counter.count += 1;
      span = getTracer().startSpan(
        `${method} ${path}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: method,
            [ATTR_SERVER_ADDRESS]: parsed.hostname,
            [ATTR_SERVER_PORT]: parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80,
            [ATTR_URL_TEMPLATE]: path,
            ...(resend ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: resend } : {}),
          },
        },
        parent,
      );
    } catch {
      span = undefined;
    }
    if (!span) return original.call(undefined, url, init);
    const attempt = span;
    try {
      const response = (await context.with(trace.setSpan(context.active(), attempt), () => original.call(undefined, url, init))) as ResponseLike;
      try {
        const status = typeof response?.status === 'number' ? response.status : undefined;
        if (status !== undefined) attempt.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        const requestId = response?.headers?.get?.('x-request-id');
        if (requestId) attempt.setAttribute(ATTR_LLM_OPENAI_REQUEST_ID, requestId);
        if (status !== undefined && status >= 400) {
          attempt.setAttribute(ATTR_ERROR_TYPE, String(status));
          attempt.setStatus({ code: SpanStatusCode.ERROR });
        }
      } finally {
        attempt.end();
      }
      return response;
    } catch (error) {
      const type = openAIErrorType(error);
      recordError(attempt, withoutQuery(error, String(url instanceof Request ? url.url : url)), type === '_OTHER' ? 'connection_error' : type);
      attempt.end();
      throw error;
    }
  };
}
