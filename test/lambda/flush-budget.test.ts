import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forceFlush, shutdownTracing, withLlmTracing, type TracedHandler } from '../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceiverMode } from '../support/receiver.js';
import { lambdaContext, lambdaEnv } from '../support/lambda.js';

// Bounds are asserted with a generous margin: this checks that the wait is bounded, not how fast it is.
const BUDGET_MS = 300;
const SLACK_MS = 700;

let receiver: OtlpReceiver;
let handler: TracedHandler<{ n: number }, { n: number }>;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  lambdaEnv(receiver.url, { OTEL_EXPORTER_OTLP_TIMEOUT: '5000' });
  handler = withLlmTracing(async (e: { n: number }) => ({ n: e.n }), { flushBudgetMs: BUDGET_MS });
});
afterAll(async () => {
  await receiver.setMode({ kind: 'ok' });
  await shutdownTracing(200);
  await receiver.close();
});

/** Spans of one invocation: late answers to earlier hung exports may bring other invocations' spans in. */
const spansOf = (ctx: { awsRequestId: string }) => receiver.spans.filter((s) => s.attributes['faas.invocation.id'] === ctx.awsRequestId);

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

describe('the flush is bounded by the budget whatever the collector does', () => {
  const faults: [string, ReceiverMode][] = [
    ['refuses connections', { kind: 'refuse' }],
    ['resets connections', { kind: 'reset' }],
    ['hangs', { kind: 'hang' }],
    ['answers after 3 s', { kind: 'delay', ms: 3000 }],
    ['answers 503', { kind: 'status', code: 503 }],
    ['answers 429 with retry-after', { kind: 'status', code: 429, retryAfterSeconds: 1 }],
    ['answers 400', { kind: 'status', code: 400 }],
  ];
  let n = 0;
  for (const [label, mode] of faults) {
    it(`when the collector ${label}: same result, added delay inside the budget`, async () => {
      await receiver.setMode(mode);
      const event = { n: ++n };
      const { value, ms } = await timed(() => handler(event, lambdaContext()));
      expect(value).toEqual({ n: event.n });
      expect(ms).toBeLessThan(BUDGET_MS + SLACK_MS);
    });
  }

  it('spans reach the collector again once it is back', async () => {
    await receiver.setMode({ kind: 'ok' });
    receiver.clear();
    await handler({ n: 100 }, lambdaContext());
    await receiver.waitForSpans((spans) => spans.length >= 1, 3000);
    expect(receiver.spans.some((s) => s.name === 'test-fn')).toBe(true);
  });
});

describe('the flush never runs past the deadline', () => {
  it('waits at most the time left before the deadline, less the margin', async () => {
    await receiver.setMode({ kind: 'hang' });
    const deadlineBound = withLlmTracing(async () => 'done', { flushBudgetMs: 10_000, deadlineMarginMs: 200, timeoutSalvageMs: false });
    const ctx = lambdaContext({ timeoutMs: 900 });
    const { value, ms } = await timed(() => deadlineBound({}, ctx));
    expect(value).toBe('done');
    expect(ctx.getRemainingTimeInMillis!()).toBeGreaterThan(0);
    expect(ms).toBeLessThan(900);
    await receiver.setMode({ kind: 'ok' });
  });

  it('a flush budget of 0 does not wait at all: spans go out with the next batch', async () => {
    await receiver.setMode({ kind: 'ok' });
    await forceFlush(2000);
    receiver.clear();
    const noWait = withLlmTracing(async () => 'x', { flushBudgetMs: 0 });
    const first = lambdaContext();
    await noWait({}, first);
    expect(spansOf(first)).toHaveLength(0);
    await handler({ n: 1 }, lambdaContext());
    expect(spansOf(first)).toHaveLength(1);
  });
});

describe('timeout salvage', () => {
  it('ends and exports the span of an invocation still running near its deadline; the handler is left alone', async () => {
    await receiver.setMode({ kind: 'ok' });
    receiver.clear();
    let finishedAt = 0;
    const startedAt = Date.now();
    const slow = withLlmTracing(
      async () => {
        await new Promise((r) => setTimeout(r, 1500));
        finishedAt = Date.now();
        return 'late but intact';
      },
      { timeoutSalvageMs: 500 },
    );
    // A 1 s function: the salvage lead is a tenth of it, so it fires at about 900 ms.
    const ctx = lambdaContext({ timeoutMs: 1000 });
    const result = await slow({}, ctx);
    expect(result).toBe('late but intact');
    expect(spansOf(ctx)).toHaveLength(1);
    const [span] = spansOf(ctx);
    expect(span!.status).toEqual({ code: 'ERROR', message: 'Lambda invocation about to time out' });
    expect(span!.attributes['error.type']).toBe('timeout');
    expect(span!.attributes['llm.lambda.timeout_salvaged']).toBe(true);
    // It reached the collector before the handler finished, i.e. before Lambda would have killed the sandbox.
    const request = receiver.requests.find((r) => r.status === 200 && r.at >= startedAt)!;
    expect(request.at).toBeLessThan(finishedAt);
    expect(span!.durationMs).toBeLessThan(1000);
  });

  it('does not fire for an invocation that finishes in time', async () => {
    const quick = withLlmTracing(async () => 'quick', { timeoutSalvageMs: 500 });
    const ctx = lambdaContext({ timeoutMs: 1000 });
    await quick({}, ctx);
    await new Promise((r) => setTimeout(r, 1100));
    await forceFlush();
    expect(spansOf(ctx)).toHaveLength(1);
    expect(spansOf(ctx)[0]!.status.code).toBe('UNSET');
  });

  it('can be turned off', async () => {
    const slow = withLlmTracing(
      async () => {
        await new Promise((r) => setTimeout(r, 950));
        return 'ok';
      },
      { timeoutSalvageMs: false },
    );
    const ctx = lambdaContext({ timeoutMs: 1000 });
    await slow({}, ctx);
    await forceFlush();
    expect(spansOf(ctx)).toHaveLength(1);
    expect(spansOf(ctx)[0]!.status.code).toBe('UNSET');
    expect(spansOf(ctx)[0]!.attributes['llm.lambda.timeout_salvaged']).toBeUndefined();
  });
});
