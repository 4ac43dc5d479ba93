import { DiagLogLevel, diag, type DiagLogger } from '@opentelemetry/api';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExporter } from '../../src/telemetry/exporter.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.ts';

/** A diag logger that keeps what is said at warn level. */
function capture(level: DiagLogLevel): string[] {
  const warnings: string[] = [];
  const ignore = () => {};
  const logger: DiagLogger = { error: ignore, info: ignore, debug: ignore, verbose: ignore, warn: (message: string) => warnings.push(message) };
  diag.setLogger(logger, { logLevel: level, suppressOverrideMessage: true });
  return warnings;
}

/** Exports `count` one-span batches through a real exporter, one after another, as `count` invocations would. */
async function exportSpans(receiver: OtlpReceiver, count: number): Promise<void> {
  const exporter = createExporter({ endpoint: receiver.tracesUrl, exportTimeoutMs: 300 });
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  for (let i = 0; i < count; i++) {
    provider.getTracer('t').startSpan(`invocation ${i}`).end();
    // A failed export rejects the flush here; the warning is what is under test.
    await provider.forceFlush().catch(() => {});
  }
  await provider.shutdown().catch(() => {});
}

describe('when spans cannot be delivered', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    diag.disable();
    await receiver.setMode({ kind: 'ok' });
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('says once per cause, naming the endpoint: refused, timed out, HTTP status', async () => {
    const warnings = capture(DiagLogLevel.WARN);
    await receiver.setMode({ kind: 'refuse' });
    await exportSpans(receiver, 3);
    await receiver.setMode({ kind: 'hang' });
    await exportSpans(receiver, 2);
    await receiver.setMode({ kind: 'status', code: 400 });
    await exportSpans(receiver, 3);
    const delivery = warnings.filter((w) => w.includes('not delivered'));
    expect(delivery).toHaveLength(3);
    expect(delivery.every((w) => w.includes(receiver.tracesUrl))).toBe(true);
    expect(delivery[0]).toMatch(/connection refused/);
    expect(delivery[1]).toMatch(/timed out/);
    expect(delivery[2]).toMatch(/HTTP 400/);
  });

  it('says nothing when the spans arrive', async () => {
    const warnings = capture(DiagLogLevel.WARN);
    await exportSpans(receiver, 2);
    expect(receiver.spans.length).toBeGreaterThanOrEqual(2);
    expect(warnings.filter((w) => w.includes('not delivered'))).toEqual([]);
  });

  it('keeps quiet below warn level', async () => {
    const warnings = capture(DiagLogLevel.ERROR);
    await receiver.setMode({ kind: 'refuse' });
    await exportSpans(receiver, 2);
    expect(warnings).toEqual([]);
  });
});
