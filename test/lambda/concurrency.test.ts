import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownTracing, traceStep, withLlmTracing } from '../../src/index.js';
import { spanTree, startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';
import { lambdaContext, lambdaEnv } from '../support/lambda.js';

// Lambda Managed Instances run several invocations at once in one process: nothing of one may leak into another.
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  lambdaEnv(receiver.url);
  // The process-wide header belongs to no invocation in particular: the context's own must win.
  process.env._X_AMZN_TRACE_ID = 'Root=1-11111111-111111111111111111111111;Parent=1111111111111111;Sampled=1';
});
afterAll(async () => {
  delete process.env._X_AMZN_TRACE_ID;
  await shutdownTracing(500);
  await receiver.close();
});

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('overlapping invocations in one process', () => {
  it('keep their own parent, children, X-Ray link and cold-start flag', async () => {
    const handler = withLlmTracing(
      async (event: { i: number }) => {
        // Interleave: each invocation awaits at different times, so their async work overlaps.
        await sleep((event.i * 7) % 23);
        await traceStep(`step-${event.i}`, async () => sleep((event.i * 5) % 11));
        await sleep((event.i * 3) % 13);
        return traceStep(`final-${event.i}`, () => event.i);
      },
      { flushBudgetMs: 2000 },
    );
    const N = 20;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        handler(
          { i, headers: { traceparent: `00-${hex(i + 1, 32)}-${hex(i + 1, 16)}-01` } } as { i: number },
          lambdaContext({ xRayTraceId: `Root=1-${hex(i + 1, 8)}-${hex(i + 1, 24)};Parent=${hex(i + 100, 16)};Sampled=1` }),
        ),
      ),
    );
    expect(results).toEqual(Array.from({ length: N }, (_, i) => i));
    await receiver.waitForSpans(N * 3, 5000);
    const tree = spanTree(receiver.spans);
    const invocations = receiver.spans.filter((s) => s.kind === 'SERVER');
    expect(invocations).toHaveLength(N);
    expect(invocations.filter((s) => s.attributes['faas.coldstart'] === true)).toHaveLength(1);
    for (let i = 0; i < N; i++) {
      const traceId = hex(i + 1, 32);
      const inv = invocations.find((s) => s.traceId === traceId)!;
      expect(inv.parentSpanId, tree).toBe(hex(i + 1, 16));
      expect(inv.links.map((l) => l.spanId)).toEqual([hex(i + 100, 16)]);
      for (const name of [`step-${i}`, `final-${i}`]) {
        const child = receiver.spans.find((s) => s.name === name)!;
        expect(child.traceId, tree).toBe(traceId);
        expect(child.parentSpanId, tree).toBe(inv.spanId);
      }
    }
  });

  it('a slow flush of one invocation does not hold another beyond the budget', async () => {
    await receiver.setMode({ kind: 'delay', ms: 3000 });
    const handler = withLlmTracing(
      async (e: { ms: number }) => {
        await sleep(e.ms);
        return e.ms;
      },
      { flushBudgetMs: 300 },
    );
    const started = performance.now();
    const times = await Promise.all(
      [0, 50, 100, 150].map(async (ms) => {
        await handler({ ms }, lambdaContext());
        return performance.now() - started;
      }),
    );
    await receiver.setMode({ kind: 'ok' });
    // Each returns within its own work plus one budget (generous margin), not after the others' exports.
    for (const [i, ms] of [0, 50, 100, 150].entries()) expect(times[i]).toBeLessThan(ms + 300 + 700);
  });
});
