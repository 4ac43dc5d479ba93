import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushWithin } from '../../src/telemetry/flush.ts';
import { ensureProvider, getTracer } from '../../src/telemetry/provider.ts';
import { shutdownWithin } from '../../src/telemetry/shutdown.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.ts';

describe('a flush with nothing queued', () => {
  let receiver: OtlpReceiver;
  let flushes = 0;
  // A user's processor, through the public option: it sees every flush the provider is asked for.
  const watcher: SpanProcessor = {
    onStart() {},
    onEnd() {},
    forceFlush: async () => {
      flushes++;
    },
    shutdown: async () => {},
  };
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    ensureProvider({ endpoint: receiver.tracesUrl, spanProcessors: [watcher], shutdownOnSigterm: false });
  });
  afterAll(async () => {
    await shutdownWithin(1000);
    await receiver.close();
  });

  it('does not reach the processors, while one after an ended span does and delivers it', async () => {
    expect(await flushWithin(1000)).toBe('flushed');
    expect(flushes).toBe(0);

    getTracer().startSpan('queued').end();
    expect(await flushWithin(1000)).toBe('flushed');
    expect(flushes).toBe(1);
    expect(receiver.spans.map((s) => s.name)).toEqual(['queued']);

    expect(await flushWithin(1000)).toBe('flushed');
    expect(flushes).toBe(1);
  });
});
