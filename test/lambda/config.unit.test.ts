import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wrapperConfig } from '../../src/lambda/config.js';
import { remainingMs } from '../../src/lambda/timeout.js';
import { budgetBeforeDeadline } from '../../src/telemetry/flush.js';

const VARIABLES = ['LLM_TRACING_FLUSH_BUDGET_MS', 'LLM_TRACING_DEADLINE_MARGIN_MS', 'LLM_TRACING_TIMEOUT_SALVAGE_MS', 'LLM_TRACING_EXPORT_MODE'];
let warnings: string[];

beforeEach(() => {
  for (const v of VARIABLES) delete process.env[v];
  warnings = [];
  const logger: DiagLogger = { error() {}, warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
});
afterEach(() => {
  for (const v of VARIABLES) delete process.env[v];
  diag.disable();
});

describe('wrapperConfig', () => {
  it('defaults to a 1000 ms budget, a 100 ms margin, a 500 ms salvage lead and auto export', () => {
    expect(wrapperConfig({})).toEqual({ exportMode: 'auto', flushBudgetMs: 1000, deadlineMarginMs: 100, timeoutSalvageMs: 500 });
  });

  it('reads the variables, trimmed and case-insensitive where they are words', () => {
    process.env.LLM_TRACING_FLUSH_BUDGET_MS = ' 250 ';
    process.env.LLM_TRACING_DEADLINE_MARGIN_MS = '40';
    process.env.LLM_TRACING_TIMEOUT_SALVAGE_MS = 'OFF';
    process.env.LLM_TRACING_EXPORT_MODE = 'Before-Response';
    expect(wrapperConfig({})).toEqual({ exportMode: 'before-response', flushBudgetMs: 250, deadlineMarginMs: 40, timeoutSalvageMs: false });
    expect(warnings).toEqual([]);
  });

  it('says a misspelt export mode, from the variable or the option, and uses auto', () => {
    process.env.LLM_TRACING_EXPORT_MODE = 'after_response';
    expect(wrapperConfig({}).exportMode).toBe('auto');
    expect(wrapperConfig({ exportMode: 'later' as never }).exportMode).toBe('auto');
    expect(warnings).toEqual([
      expect.stringContaining('LLM_TRACING_EXPORT_MODE="after_response" is not auto, after-response or before-response; using auto'),
      expect.stringContaining('exportMode="later"'),
    ]);
    process.env.LLM_TRACING_EXPORT_MODE = 'AFTER-RESPONSE';
    expect(wrapperConfig({}).exportMode).toBe('after-response');
  });

  it('lets options win over the variables', () => {
    process.env.LLM_TRACING_FLUSH_BUDGET_MS = '250';
    process.env.LLM_TRACING_TIMEOUT_SALVAGE_MS = 'off';
    expect(wrapperConfig({ flushBudgetMs: 0, timeoutSalvageMs: 300 })).toMatchObject({ flushBudgetMs: 0, timeoutSalvageMs: 300 });
  });

  it('ignores an invalid option and falls back to the variable', () => {
    process.env.LLM_TRACING_FLUSH_BUDGET_MS = '250';
    expect(wrapperConfig({ flushBudgetMs: -1 }).flushBudgetMs).toBe(250);
    expect(wrapperConfig({ flushBudgetMs: Number.NaN }).flushBudgetMs).toBe(250);
  });

  it('reports a malformed variable and uses the default', () => {
    for (const bad of ['soon', '-5', '1e400']) {
      process.env.LLM_TRACING_FLUSH_BUDGET_MS = bad;
      expect(wrapperConfig({}).flushBudgetMs).toBe(1000);
    }
    expect(warnings).toEqual([
      'lambda-llm-tracing: ignoring LLM_TRACING_FLUSH_BUDGET_MS="soon", expected a number of milliseconds',
      'lambda-llm-tracing: ignoring LLM_TRACING_FLUSH_BUDGET_MS="-5", expected a number of milliseconds',
      'lambda-llm-tracing: ignoring LLM_TRACING_FLUSH_BUDGET_MS="1e400", expected a number of milliseconds',
    ]);
  });
});

describe('remainingMs', () => {
  it("returns the context's time left", () => {
    expect(remainingMs({ awsRequestId: 'r', getRemainingTimeInMillis: () => 2900 })).toBe(2900);
  });

  it('is undefined when the context cannot tell: no context, no function, a non-number, a throwing function', () => {
    expect(remainingMs(undefined)).toBeUndefined();
    expect(remainingMs({ awsRequestId: 'r' })).toBeUndefined();
    expect(remainingMs({ awsRequestId: 'r', getRemainingTimeInMillis: () => Number.NaN })).toBeUndefined();
    expect(remainingMs({ awsRequestId: 'r', getRemainingTimeInMillis: () => '100' as unknown as number })).toBeUndefined();
    expect(
      remainingMs({
        awsRequestId: 'r',
        getRemainingTimeInMillis: () => {
          throw new Error('no deadline');
        },
      }),
    ).toBeUndefined();
  });
});

describe('the flush budget as an invocation derives it', () => {
  // As `exportSpans` in src/lambda/run.ts computes it.
  const budgetFor = (left: number | undefined) => {
    const config = wrapperConfig({});
    const context = { awsRequestId: 'r', ...(left === undefined ? {} : { getRemainingTimeInMillis: () => left }) };
    return budgetBeforeDeadline(config.flushBudgetMs, remainingMs(context), config.deadlineMarginMs);
  };

  it('is LLM_TRACING_FLUSH_BUDGET_MS far from the deadline, and the time left minus the margin near it', () => {
    process.env.LLM_TRACING_FLUSH_BUDGET_MS = '400';
    expect(budgetFor(10_000)).toBe(400);
    expect(budgetFor(350)).toBe(250);
    expect(budgetFor(90)).toBe(0);
    expect(budgetFor(undefined)).toBe(400);
  });
});
