import { TraceFlags, context, diag, type Exception } from '@opentelemetry/api';
import { ExportResultCode, globalErrorHandler, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';

export interface BatchOptions {
  exporter: SpanExporter;
  maxQueueSize?: number | undefined;
  maxExportBatchSize?: number | undefined;
  scheduledDelayMillis?: number | undefined;
  exportTimeoutMillis?: number | undefined;
}

/**
 * The SDK's BatchSpanProcessor, step for step (queue bound and drop counts, a batch exported as soon as it is
 * full, otherwise after the scheduled delay on an unref'd timer, one export timeout per batch, exports under
 * suppressed tracing, shutdown once: flush, then the exporter's shutdown), in a quarter of its bundle bytes. Left
 * out: its self-metrics, which record into a no-op meter here, and the wait for async resource attributes, which
 * our resource never has.
 */
export function batchProcessor(options: BatchOptions): SpanProcessor {
  const { exporter } = options;
  const { queueSize, batchSize, delayMs, timeoutMs } = limits(options);
  let spans: ReadableSpan[] = [];
  let timer: NodeJS.Timeout | undefined;
  let exporting = false;
  let dropped = 0;
  let shutdownOnce: Promise<void> | undefined;

  const clearTimer = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  const flushOneBatch = (): Promise<void> => {
    clearTimer();
    if (spans.length === 0) return Promise.resolve();
    return exportWithin(exporter, timeoutMs, () => {
      const batch = spans.length <= batchSize ? spans : spans.splice(0, batchSize);
      if (batch === spans) spans = [];
      return batch;
    });
  };

  /** Every queued span, in batches exported side by side. */
  const flushAll = (): Promise<void> => {
    const batches: Promise<void>[] = [];
    for (let i = Math.ceil(spans.length / batchSize); i > 0; i--) batches.push(flushOneBatch());
    return Promise.all(batches).then(() => undefined);
  };

  const maybeStartTimer = (): void => {
    if (exporting) return;
    const flush = () => {
      exporting = true;
      flushOneBatch()
        .finally(() => {
          exporting = false;
          if (spans.length > 0) {
            clearTimer();
            maybeStartTimer();
          }
        })
        .catch((error: Exception) => {
          exporting = false;
          globalErrorHandler(error);
        });
    };
    if (spans.length >= batchSize) flush();
    else if (timer === undefined) {
      timer = setTimeout(flush, delayMs);
      timer.unref();
    }
  };

  return {
    onStart() {},
    onEnd(span) {
      if (shutdownOnce || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
      if (spans.length >= queueSize) {
        if (dropped++ === 0) diag.debug('maxQueueSize reached, dropping spans');
        return;
      }
      if (dropped > 0) {
        diag.warn(`Dropped ${dropped} spans because maxQueueSize reached`);
        dropped = 0;
      }
      spans.push(span);
      maybeStartTimer();
    },
    forceFlush: () => shutdownOnce ?? flushAll(),
    shutdown() {
      shutdownOnce ??= Promise.resolve()
        .then(flushAll)
        .then(() => exporter.shutdown());
      return shutdownOnce;
    },
  };
}

/** The SDK's defaults, and its warning when a batch would be larger than the queue. */
function limits(options: BatchOptions) {
  const queueSize = options.maxQueueSize ?? 2048;
  let batchSize = options.maxExportBatchSize ?? 512;
  if (batchSize > queueSize) {
    diag.warn('BatchSpanProcessor: maxExportBatchSize must be smaller or equal to maxQueueSize, setting maxExportBatchSize to match maxQueueSize');
    batchSize = queueSize;
  }
  return { queueSize, batchSize, delayMs: options.scheduledDelayMillis ?? 5000, timeoutMs: options.exportTimeoutMillis ?? 30_000 };
}

/** One export under suppressed tracing, rejected past `timeoutMs`; the batch is taken once inside that context. */
function exportWithin(exporter: SpanExporter, timeoutMs: number, take: () => ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // Unref'd, and cleared when the exporter throws: a pending timeout alone must not keep a process alive.
    const timer = setTimeout(() => reject(new Error('Timeout')), timeoutMs).unref();
    try {
      context.with(suppressTracing(context.active()), () => {
        exporter.export(take(), (result) => {
          clearTimeout(timer);
          if (result.code === ExportResultCode.SUCCESS) resolve();
          else reject(result.error ?? new Error('BatchSpanProcessor: span export failed'));
        });
      });
    } catch (error) {
      clearTimeout(timer);
      reject(error);
    }
  });
}
