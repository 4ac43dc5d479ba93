import type { Prepared } from '../stainless/hooks.js';

const isUsageOnlyChunk = (item: unknown): boolean => {
  const chunk = item as { choices?: unknown; usage?: unknown } | null;
  return !!chunk && Array.isArray(chunk.choices) && chunk.choices.length === 0 && !!chunk.usage;
};

/** With include_usage the API adds `usage: null` to every chunk; a caller who did not ask for usage never sees it. */
const dropNullUsage = (item: unknown): void => {
  const chunk = item as { usage?: unknown } | null;
  if (chunk && typeof chunk === 'object' && chunk.usage === null) delete chunk.usage;
};

/**
 * Chat streams report usage only when asked; we ask on the caller's behalf and then hide the extra usage-only
 * chunk, so what the caller iterates is exactly what they requested.
 */
export function withUsageRequested(params: Record<string, unknown>): Prepared {
  const options = params.stream_options as { include_usage?: unknown } | undefined;
  if (params.stream !== true || options?.include_usage !== undefined) return { params };
  return { params: { ...params, stream_options: { ...options, include_usage: true } }, hide: isUsageOnlyChunk, tidy: dropNullUsage };
}
