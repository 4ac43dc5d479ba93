// Our batch processor against the SDK's BatchSpanProcessor: the same script of span ends, flushes and shutdowns on
// a real TracerProvider with each, and what the exporter receives, what the promises settle to and what diag says
// must be the same.
import { DiagLogLevel, SamplingDecision, diag, type DiagLogger } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { batchProcessor, type BatchOptions } from '../../src/telemetry/batch.ts';

type Answer = 'ok' | 'fail' | 'hang' | 'throw';

/** Records each batch and, in order, what the script saw: batch sizes, settled promises, diag lines. */
function recorder(answer: Answer = 'ok') {
  const log: string[] = [];
  let shutdowns = 0;
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
      log.push(`export ${spans.map((s) => s.name).join(',')}`);
      if (answer === 'hang') return;
      if (answer === 'throw') throw new Error('exporter threw');
      setTimeout(() => done(answer === 'ok' ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error('refused') }), 1);
    },
    shutdown: async () => {
      shutdowns++;
    },
  };
  const say = (level: string) => (message: string) => log.push(`${level} ${message}`);
  const logger: DiagLogger = { error: say('error'), warn: say('warn'), info: say('info'), debug: say('debug'), verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true });
  log.length = 0;
  const settle = async (label: string, p: Promise<unknown>) => {
    await p.then(
      () => log.push(`${label} resolved`),
      (e: unknown) => log.push(`${label} rejected ${e instanceof Error ? e.message : String(e)}`),
    );
  };
  return { log, exporter, settle, shutdowns: () => shutdowns };
}

type Script = (provider: TracerProvider, settle: (label: string, p: Promise<unknown>) => Promise<void>, log: string[]) => Promise<void>;
type Make = (options: BatchOptions) => SpanProcessor;

const makers: Record<string, Make> = {
  sdk: (o) => new BatchSpanProcessor(o),
  ours: batchProcessor,
};

async function run(make: Make, options: Omit<BatchOptions, 'exporter'>, script: Script, answer?: Answer, sampler?: Sampler) {
  const r = recorder(answer);
  const provider = new TracerProvider({ sampler: sampler ?? new AlwaysOnSampler(), spanProcessors: [make({ ...options, exporter: r.exporter })] });
  await script(provider, r.settle, r.log);
  return { log: r.log, shutdowns: r.shutdowns() };
}

const end = (provider: TracerProvider, ...names: string[]) => {
  for (const name of names) provider.getTracer('t').startSpan(name).end();
};
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 2));
};

/** Runs `script` with both processors and expects the same record; returns ours. */
async function same(options: Omit<BatchOptions, 'exporter'>, script: Script, answer?: Answer, sampler?: Sampler) {
  const sdk = await run(makers.sdk!, options, script, answer, sampler);
  const ours = await run(makers.ours!, options, script, answer, sampler);
  expect(ours).toEqual(sdk);
  return ours;
}

describe('batchProcessor, as the SDK BatchSpanProcessor', () => {
  afterEach(() => diag.disable());

  it('exports a full batch at once, the rest on flush, in batches side by side', async () => {
    const r = await same({ maxExportBatchSize: 2, scheduledDelayMillis: 60_000 }, async (p, settle) => {
      end(p, 'a', 'b', 'c', 'd', 'e');
      await settle('flush', p.forceFlush());
    });
    expect(r.log.filter((l) => l.startsWith('export'))).toEqual(['export a,b', 'export c,d', 'export e']);
  });

  it('drops spans past the queue bound while a batch is out, says so once, then counts them', async () => {
    const r = await same({ maxQueueSize: 2, maxExportBatchSize: 1, scheduledDelayMillis: 60_000 }, async (p, settle) => {
      end(p, 'a', 'b', 'c', 'd', 'e');
      await settle('flush', p.forceFlush());
      end(p, 'f');
      await settle('flush', p.forceFlush());
    });
    expect(r.log.filter((l) => !l.startsWith('export'))).toEqual([
      'debug maxQueueSize reached, dropping spans',
      'flush resolved',
      'warn Dropped 2 spans because maxQueueSize reached',
      'flush resolved',
    ]);
  });

  it('exports after the scheduled delay without a flush', async () => {
    const r = await same({ scheduledDelayMillis: 5 }, async (p, _settle, log) => {
      end(p, 'a');
      await until(() => log.includes('export a'));
    });
    expect(r.log).toEqual(['export a']);
  });

  it('rejects a flush whose export fails, or never answers within the export timeout', async () => {
    const failed = await same(
      {},
      async (p, settle) => {
        end(p, 'a');
        await settle('flush', p.forceFlush());
      },
      'fail',
    );
    expect(failed.log.at(-1)).toMatch(/^flush rejected/);
    const hung = await same(
      { exportTimeoutMillis: 10 },
      async (p, settle) => {
        end(p, 'a');
        await settle('flush', p.forceFlush());
      },
      'hang',
    );
    expect(hung.log.at(-1)).toMatch(/^flush rejected/);
  });

  it('rejects a flush whose exporter throws, and leaves no timer holding the process', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const threw = await same(
      { exportTimeoutMillis: 60_000 },
      async (p, settle) => {
        end(p, 'a');
        await settle('flush', p.forceFlush());
      },
      'throw',
    );
    expect(threw.log.at(-1)).toMatch(/^flush rejected .*exporter threw/);
    // The SDK's run leaves its 60 s timeout behind; ours must not add one.
    const ours = await run(
      makers.ours!,
      { exportTimeoutMillis: 60_000 },
      async (p, settle) => {
        const during = timers();
        end(p, 'a');
        await settle('flush', p.forceFlush());
        expect(timers()).toBe(during);
      },
      'throw',
    );
    expect(ours.log.at(-1)).toMatch(/^flush rejected .*exporter threw/);
  });

  it('exports only sampled spans', async () => {
    const recordOnly: Sampler = { shouldSample: () => ({ decision: SamplingDecision.RECORD }), toString: () => 'record-only' };
    const r = await same(
      {},
      async (p, settle) => {
        end(p, 'a');
        await settle('flush', p.forceFlush());
      },
      'ok',
      recordOnly,
    );
    expect(r.log.some((l) => l.startsWith('export'))).toBe(false);
  });

  it('shuts down once: flushes, shuts the exporter down, then ignores spans', async () => {
    const r = await same({ scheduledDelayMillis: 60_000 }, async (p, settle) => {
      end(p, 'a');
      await settle('shutdown', p.shutdown());
      end(p, 'late');
      await settle('flush', p.forceFlush());
      await settle('shutdown', p.shutdown());
    });
    expect(r.shutdowns).toBe(1);
    expect(r.log.filter((l) => l.startsWith('export'))).toEqual(['export a']);
  });

  it('caps the batch at the queue size, with the SDK warning', async () => {
    const r = await same({ maxQueueSize: 1, maxExportBatchSize: 4, scheduledDelayMillis: 60_000 }, async (p, settle) => {
      end(p, 'a', 'b');
      await settle('flush', p.forceFlush());
    });
    expect(r.log[0]).toMatch(/^warn BatchSpanProcessor: maxExportBatchSize must be smaller/);
  });
});
