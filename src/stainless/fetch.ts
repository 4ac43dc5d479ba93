import { endAttempt, failAttempt, inAttempt, startAttempt } from '../genai/attempt.js';
import type { StainlessHooks } from './hooks.js';
import type { Span } from '@opentelemetry/api';

export type Fetch = (url: unknown, init?: unknown) => Promise<unknown>;
interface ResponseLike {
  status?: unknown;
  headers?: { get?: (name: string) => string | null };
}

/** The per-attempt retry header; the SDK passes a `Headers` (newer lines) or a plain lower-cased object (older). */
function retryCount(init: unknown): number | undefined {
  const headers = (init as { headers?: unknown } | undefined)?.headers as { get?: (n: string) => string | null } & Record<string, unknown>;
  if (!headers) return undefined;
  const raw = typeof headers.get === 'function' ? headers.get('x-stainless-retry-count') : headers['x-stainless-retry-count'];
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** node-fetch (the older lines) quotes the whole URL, query included, in its errors: record them without it. */
function withoutQuery(error: unknown, url: string): unknown {
  const q = url.indexOf('?');
  if (q < 0 || !(error instanceof Error)) return error;
  const scrub = (text: string | undefined) => text?.split(url).join(url.slice(0, q));
  return Object.assign(new Error(scrub(error.message)), { name: error.name, stack: scrub(error.stack), code: (error as { code?: unknown }).code });
}

const urlOf = (url: unknown): string => String(url instanceof Request ? url.url : url);

/**
 * Wraps the client's `fetch`, which the SDK calls once per attempt, retries included: each attempt becomes an
 * HTTP CLIENT span under the model span (see `genai/attempt.ts` for what it records and never records).
 */
export function traceFetch(original: Fetch, hooks: StainlessHooks): Fetch {
  return async function tracedFetch(url: unknown, init?: unknown): Promise<unknown> {
    let span: Span | undefined;
    try {
      const parsed = new URL(urlOf(url));
      const method = String((init as { method?: unknown } | undefined)?.method ?? (url instanceof Request ? url.method : 'GET')).toUpperCase();
      span = startAttempt({
        method,
        host: parsed.hostname,
        port: parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80,
        template: hooks.pathTemplate(parsed.pathname),
        resendCount: retryCount(init),
      });
    } catch {
      span = undefined;
    }
    if (!span) return original.call(undefined, url, init);
    const attempt = span;
    try {
      const response = (await inAttempt(attempt, () => original.call(undefined, url, init))) as ResponseLike;
      const status = typeof response?.status === 'number' ? response.status : undefined;
      const requestId = response?.headers?.get?.(hooks.requestId.header);
      endAttempt(attempt, status, requestId ? { [hooks.requestId.attribute]: requestId } : {});
      return response;
    } catch (error) {
      const type = hooks.settings.adapter.errorType(error);
      failAttempt(attempt, withoutQuery(error, urlOf(url)), type === '_OTHER' ? 'connection_error' : type);
      throw error;
    }
  };
}
