import { describe, expect, it } from 'vitest';
import { requestCostUsd, type PriceTable } from '../../src/genai/cost.js';

const PRICES: PriceTable = {
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-4o-mini-2024-07-18': { input: 0.2, output: 0.8 },
  'claude-sonnet': { input: 3, output: 15, cachedInput: 0.3, cacheWriteInput: 3.75 },
};

describe('requestCostUsd', () => {
  it('prices input and output tokens per million', () => {
    // 1000 × 0.15 + 500 × 0.6 = 450 µ$ per million → 0.00045 USD
    expect(requestCostUsd(PRICES, [undefined, 'gpt-4o-mini'], { input: 1000, output: 500 })).toBe(0.00045);
    expect(requestCostUsd(PRICES, ['gpt-4o-mini'], { input: 1_000_000, output: 1_000_000 })).toBe(0.75);
  });

  it('prefers the response model (the exact snapshot) over the requested one', () => {
    expect(requestCostUsd(PRICES, ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'], { input: 1_000_000, output: 0 })).toBe(0.2);
    // An unknown snapshot falls back to the requested model.
    expect(requestCostUsd(PRICES, ['gpt-4o-mini-2099-01-01', 'gpt-4o-mini'], { input: 1_000_000, output: 0 })).toBe(0.15);
  });

  it('bills cached input at its own price, and at the input price when the table has none', () => {
    // 600 fresh × 0.15 + 400 cached × 0.075 = 120 → 0.00012
    expect(requestCostUsd(PRICES, ['gpt-4o-mini'], { input: 1000, output: 0, cachedInput: 400 })).toBe(0.00012);
    expect(requestCostUsd(PRICES, ['gpt-4o-mini-2024-07-18'], { input: 1000, output: 0, cachedInput: 400 })).toBe(0.0002);
  });

  it('bills cache writes apart, both being part of input', () => {
    // 1000 input = 200 fresh × 3 + 300 read × 0.3 + 500 written × 3.75, + 100 output × 15 = 600 + 90 + 1875 + 1500
    expect(requestCostUsd(PRICES, ['claude-sonnet'], { input: 1000, output: 100, cachedInput: 300, cacheWriteInput: 500 })).toBe(0.004065);
  });

  it('never counts more cached or written tokens than there were input tokens', () => {
    // All 100 input tokens cached; the extra cached and written counts are ignored.
    expect(requestCostUsd(PRICES, ['claude-sonnet'], { input: 100, output: 0, cachedInput: 500, cacheWriteInput: 50 })).toBe(0.00003);
  });

  it('rounds to nano-dollars, so float noise does not show', () => {
    expect(requestCostUsd({ m: { input: 0.1, output: 0.2 } }, ['m'], { input: 1, output: 2 })).toBe(0.0000005);
    expect(requestCostUsd({ m: { input: 0.1, output: 0.2 } }, ['m'], { input: 3, output: 0 })).toBe(0.0000003);
  });

  it('is undefined without a table, a matching model or both token counts: a guess would be worse than none', () => {
    expect(requestCostUsd(undefined, ['gpt-4o-mini'], { input: 1, output: 1 })).toBeUndefined();
    expect(requestCostUsd(PRICES, ['gpt-5'], { input: 1, output: 1 })).toBeUndefined();
    expect(requestCostUsd(PRICES, [undefined, undefined], { input: 1, output: 1 })).toBeUndefined();
    // A model named like a key every object has is no table entry (it used to price as NaN).
    expect(requestCostUsd(PRICES, ['constructor', 'toString'], { input: 1, output: 1 })).toBeUndefined();
    expect(requestCostUsd(PRICES, ['gpt-4o-mini'], { output: 1 })).toBeUndefined();
    expect(requestCostUsd(PRICES, ['gpt-4o-mini'], { input: 1 })).toBeUndefined();
  });

  it('is zero for zero tokens on a known model', () => {
    expect(requestCostUsd(PRICES, ['gpt-4o-mini'], { input: 0, output: 0 })).toBe(0);
  });
});
