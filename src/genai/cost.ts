import { own } from '../util.js';

/** USD per million tokens for one model. `cachedInput` (cache reads) and `cacheWriteInput` default to `input`. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number;
  cacheWriteInput?: number;
}
export type PriceTable = Record<string, ModelPrice>;

export interface TokenUsage {
  input?: number;
  output?: number;
  cachedInput?: number;
  /** Input tokens written to the provider's prompt cache (Anthropic bills them apart); part of `input`. */
  cacheWriteInput?: number;
}

/**
 * The cost of one request from a user-supplied price table: the response model first (it names the exact
 * snapshot), then the requested model. Undefined when no table entry matches: a guess would be worse than none.
 */
export function requestCostUsd(prices: PriceTable | undefined, models: (string | undefined)[], usage: TokenUsage): number | undefined {
  if (!prices || usage.input === undefined || usage.output === undefined) return undefined;
  const price = models.map((m) => (m ? own(prices, m) : undefined)).find(Boolean);
  if (!price) return undefined;
  const cached = Math.min(usage.cachedInput ?? 0, usage.input);
  const written = Math.min(usage.cacheWriteInput ?? 0, usage.input - cached);
  const usd =
    ((usage.input - cached - written) * price.input +
      cached * (price.cachedInput ?? price.input) +
      written * (price.cacheWriteInput ?? price.input) +
      usage.output * price.output) /
    1_000_000;
  return Math.round(usd * 1e9) / 1e9;
}
