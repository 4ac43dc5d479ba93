import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../tools/runner/index.ts';
import { bundleFunction } from '../support/bundle.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';

// The full path: our extension registered through the emulated Extensions API, the real runtime client, and the
// sandbox frozen with SIGSTOP only once the runtime and the extension both asked for their next event.
let receiver: OtlpReceiver;
let fn: { dir: string; cleanup: () => void };
const sandboxes: Sandbox[] = [];
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  fn = await bundleFunction('test/fixtures/after-response/handler.ts', { extension: true });
}, 60_000);
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.shutdown()));
  await receiver.setMode({ kind: 'ok' });
  await receiver.close();
  fn.cleanup();
});

async function sandbox(env: Record<string, string> = {}, withExtension = true): Promise<Sandbox> {
  const sb = await startSandbox({
    codeDir: fn.dir,
    handler: 'index.handler',
    timeoutSeconds: 10,
    functionName: 'after-response-fn',
    log: () => {},
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      LLM_TRACING_FLUSH_BUDGET_MS: '2000',
      ...(withExtension ? { NODE_OPTIONS: `--import ${fn.dir}/extension.mjs` } : {}),
      ...env,
    },
  });
  sandboxes.push(sb);
  return sb;
}

const spansOf = (requestId: string) => {
  const inv = receiver.spans.find((s) => s.attributes['faas.invocation.id'] === requestId);
  return inv ? receiver.spans.filter((s) => s.traceId === inv.traceId) : [];
};

describe('export after the response', () => {
  it('answers before a slow collector has the spans, and they all arrive before the freeze', async () => {
    await receiver.setMode({ kind: 'delay', ms: 1000 });
    const sb = await sandbox();
    const r = await sb.invoke({ n: 1 });
    expect(r.result).toEqual({ n: 1 });
    expect(sb.extensions).toEqual(['lambda-llm-tracing']);
    // The response did not wait for the 1 s collector...
    expect(r.durationMs).toBeLessThan(1000);
    // ...the sandbox stayed thawed for the export instead, and froze only after it.
    expect(r.postRuntimeMs).toBeGreaterThanOrEqual(900);
    expect(sb.frozen).toBe(true);
    const spans = spansOf(r.requestId);
    expect(spans.map((s) => s.name).sort()).toEqual(['after-response-fn', 'work']);
    expect(spans.find((s) => s.kind === 'SERVER')!.attributes['llm.export.mode']).toBe('after-response');
  });

  it('without the extension the response waits for the export, as before', async () => {
    await receiver.setMode({ kind: 'delay', ms: 1000 });
    const sb = await sandbox({}, false);
    const r = await sb.invoke({ n: 2 });
    expect(r.durationMs).toBeGreaterThanOrEqual(900);
    expect(sb.extensions).toEqual([]);
    expect(spansOf(r.requestId).find((s) => s.kind === 'SERVER')!.attributes['llm.export.mode']).toBe('before-response');
  });

  it('under sam local, and when forced, the export comes before the response', async () => {
    await receiver.setMode({ kind: 'ok' });
    for (const env of [{ AWS_SAM_LOCAL: 'true' }, { LLM_TRACING_EXPORT_MODE: 'before-response' }] as Record<string, string>[]) {
      const sb = await sandbox(env);
      const r = await sb.invoke({ n: 3 });
      expect(sb.extensions).toEqual([]);
      expect(spansOf(r.requestId).find((s) => s.kind === 'SERVER')!.attributes['llm.export.mode']).toBe('before-response');
    }
  });

  it('with a hanging collector: the response is not delayed and the thawed time stays inside the budget', async () => {
    await receiver.setMode({ kind: 'hang' });
    const sb = await sandbox({ LLM_TRACING_FLUSH_BUDGET_MS: '500' });
    for (let i = 0; i < 3; i++) {
      const r = await sb.invoke({ n: i });
      expect(r.result).toEqual({ n: i });
      expect(r.durationMs).toBeLessThan(500);
      expect(r.postRuntimeMs).toBeLessThan(500 + 700);
    }
    await receiver.setMode({ kind: 'ok' });
  });

  it('a timed-out invocation still exports its spans', async () => {
    await receiver.setMode({ kind: 'ok' });
    const sb = await startSandbox({
      codeDir: fn.dir,
      handler: 'index.handler',
      timeoutSeconds: 1,
      functionName: 'after-response-fn',
      log: () => {},
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, NODE_OPTIONS: `--import ${fn.dir}/extension.mjs` },
    });
    sandboxes.push(sb);
    const r = await sb.invoke({ n: 9, sleepMs: 3000 });
    expect(r.timedOut).toBe(true);
    const inv = receiver.spans.find((s) => s.attributes['faas.invocation.id'] === r.requestId)!;
    expect(inv.attributes['llm.lambda.timeout_salvaged']).toBe(true);
  });

  it('1,000 invocations through the freezing runner lose no span', async () => {
    await receiver.setMode({ kind: 'ok' });
    receiver.clear();
    const sb = await sandbox();
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const r = await sb.invoke({ n: i });
      expect(r.result).toEqual({ n: i });
      ids.push(r.requestId);
    }
    expect(sb.freezeCount).toBeGreaterThanOrEqual(1000);
    // Both spans of every invocation arrived, each before its sandbox froze.
    expect(receiver.spans).toHaveLength(2000);
    for (const id of ids) expect(spansOf(id)).toHaveLength(2);
  }, 120_000);
});
