// Fault suite through the local Lambda runner (real aws-lambda-ric on Node 24, SIGSTOP between invocations):
// nothing is lost while the collector is up, and a failing collector never costs more than the flush budget,
// never breaks an answer and never crashes the sandbox; spans flow again once the collector is back.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type InvokeResult, type Sandbox } from '../../tools/runner/index.ts';
import { bundleFixture } from '../support/bundle.js';
import { spanTree, startOtlpReceiver, type OtlpReceiver, type ReceiverMode, type ReceivedSpan } from '../support/receiver.js';

const BUDGET_MS = 200;
// Generous: this checks that the wait is bounded by the budget, not how fast a loaded 2-core machine is.
const MARGIN_MS = 700;

let receiver: OtlpReceiver;
let codeDir: string;
const sandboxes: Sandbox[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  codeDir = await bundleFixture(new URL('../fixtures/faults/handler.ts', import.meta.url).pathname, 'llt-faults-');
});
afterAll(async () => {
  await Promise.allSettled(sandboxes.map((sb) => sb.shutdown()));
  await receiver.close();
  fs.rmSync(codeDir, { recursive: true, force: true });
});

async function start(): Promise<Sandbox> {
  const sb = await startSandbox({
    codeDir,
    handler: 'index.handler',
    timeoutSeconds: 10,
    functionName: 'faults-fn',
    log: () => {},
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, LLM_TRACING_FLUSH_BUDGET_MS: String(BUDGET_MS) },
  });
  sandboxes.push(sb);
  return sb;
}

/** Invokes and checks the answer is this event's own, from the same live process, with clean logs. */
async function call(sb: Sandbox, id: string, steps: number, pid?: number): Promise<InvokeResult> {
  const r = await sb.invoke({ id, steps });
  expect(r.error, r.logs).toBeUndefined();
  expect(r.timedOut).toBe(false);
  expect(r.result).toEqual({ id, steps, total: steps > 1 ? (steps * (steps - 1)) / 2 : 0, pid: pid ?? sb.pid });
  expect(r.logs).not.toMatch(/Unhandled|ERR|Error|uncaught/);
  return r;
}

/** Every span of the invocation's trace: its invocation span and one `step i` child per step, nothing else. */
function expectWholeTrace(spans: readonly ReceivedSpan[], requestId: string, steps: number): void {
  const roots = spans.filter((s) => s.attributes['faas.invocation.id'] === requestId);
  expect(roots, `invocation span of ${requestId}`).toHaveLength(1);
  const root = roots[0]!;
  const trace = spans.filter((s) => s.traceId === root.traceId);
  expect(trace, spanTree(trace)).toHaveLength(1 + steps);
  const children = trace.filter((s) => s !== root);
  expect(children.map((s) => s.name).sort()).toEqual(Array.from({ length: steps }, (_, i) => `step ${i}`).sort());
  for (const c of children) expect(c.parentSpanId).toBe(root.spanId);
}

describe('collector up: 1,000 invocations across 4 frozen-between-invocations sandboxes', () => {
  it('lose no span: every trace arrives whole, before the sandbox freezes', async () => {
    const sbs = await Promise.all([0, 1, 2, 3].map(() => start()));
    const expected = new Map<string, number>();
    await Promise.all(
      sbs.map(async (sb, k) => {
        let pid: number | undefined;
        for (let i = 0; i < 250; i++) {
          const steps = (i + k) % 4;
          const r = await call(sb, `lossless-${k}-${i}`, steps, pid);
          pid ??= sb.pid;
          expected.set(r.requestId, steps);
        }
        // One process served them all, frozen after each one.
        expect(sb.pid).toBe(pid);
        expect(sb.freezeCount).toBeGreaterThanOrEqual(250);
      }),
    );
    const total = [...expected.values()].reduce((a, s) => a + 1 + s, 0);
    expect(total).toBe(1000 + 1500);
    // Every sandbox is frozen now and can send nothing more: what has not arrived yet was lost.
    const spans = await receiver.waitForSpans(total, 2000);
    expect(spans).toHaveLength(total);
    for (const [requestId, steps] of expected) expectWholeTrace(spans, requestId, steps);
    await Promise.all(sbs.map((sb) => sb.shutdown()));
  }, 120_000);
});

describe('collector failing: answers unchanged, each within the budget, and spans resume afterwards', () => {
  let sb: Sandbox;
  let pid: number | undefined;
  let n = 0;
  beforeAll(async () => {
    sb = await start();
    await call(sb, 'warm-up', 1);
    pid = sb.pid;
    receiver.clear();
  });

  /** Six invocations with the collector failing, then three with it back; returns the request ids of each part. */
  async function ride(mode: ReceiverMode | (() => Promise<void>), recover: () => Promise<void>): Promise<{ during: string[]; after: string[] }> {
    if (typeof mode === 'function') await mode();
    else await receiver.setMode(mode);
    const during: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(sb, `fault-${++n}`, 2, pid);
      expect(r.durationMs).toBeLessThan(BUDGET_MS + MARGIN_MS);
      during.push(r.requestId);
    }
    await recover();
    const after: string[] = [];
    for (let i = 0; i < 3; i++) after.push((await call(sb, `recovered-${++n}`, 1, pid)).requestId);
    const arrived = (spans: ReceivedSpan[]) => after.every((id) => spans.some((s) => s.attributes['faas.invocation.id'] === id));
    const spans = await receiver.waitForSpans(arrived, 5000);
    for (const id of after) expectWholeTrace(spans, id, 1);
    expect(sb.pid).toBe(pid);
    return { during, after };
  }
  const backUp = () => receiver.setMode({ kind: 'ok' });

  const lossy: [string, ReceiverMode][] = [
    ['refuses connections', { kind: 'refuse' }],
    ['resets connections', { kind: 'reset' }],
    ['answers 429 (retry-after 1 s)', { kind: 'status', code: 429, retryAfterSeconds: 1 }],
    ['answers 503', { kind: 'status', code: 503 }],
  ];
  for (const [label, mode] of lossy) {
    it(`when the collector ${label}`, async () => {
      await ride(mode, backUp);
    });
  }

  // A collector that answers late loses nothing: the export is never cancelled, only no longer waited for.
  const late: [string, ReceiverMode][] = [
    ['hangs until it is fixed', { kind: 'hang' }],
    ['is slow (answers after 4× the budget)', { kind: 'delay', ms: BUDGET_MS * 4 }],
  ];
  for (const [label, mode] of late) {
    it(`when the collector ${label}, and no span of the slow period is lost`, async () => {
      const { during } = await ride(mode, backUp);
      const arrived = (spans: ReceivedSpan[]) => during.every((id) => spans.some((s) => s.attributes['faas.invocation.id'] === id));
      const spans = await receiver.waitForSpans(arrived, 5000);
      for (const id of during) expectWholeTrace(spans, id, 2);
    });
  }

  it('when the collector dies mid-run and comes back on the same port', async () => {
    const port = receiver.port;
    const dying = async () => {
      // Killed while the next invocations run: some exports are cut mid-request, later ones are refused.
      setTimeout(() => void receiver.close(), 5);
    };
    await ride(dying, async () => {
      receiver = await startOtlpReceiver({ port });
    });
  });

  it('after all that, the same process shuts down on SIGTERM in time, with nothing unhandled in its logs', async () => {
    expect(sb.pid).toBe(pid);
    const { exitedGracefully, logs } = await sb.shutdown();
    expect(exitedGracefully).toBe(true);
    expect(logs).not.toMatch(/Unhandled|ERR|Error|uncaught/);
  });
});
