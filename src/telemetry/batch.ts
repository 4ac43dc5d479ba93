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
  const queueSize = options.maxQueueSize ?? 2048;
  const delayMs = options.scheduledDelayMillis ?? 5000;
  const timeoutMs = options.exportTimeoutMillis ?? 30_000;
  let batchSize = options.maxExportBatchSize ?? 512;
  let spans: ReadableSpan[] = [];
  let timer: NodeJS.Timeout | undefined;
  let exporting = false;
  let dropped = 0;
  let shutdownOnce: Promise<void> | undefined;
  if (batchSize > queueSize) {
    diag.warn('BatchSpanProcessor: maxExportBatchSize must be smaller or equal to maxQueueSize, setting maxExportBatchSize to match maxQueueSize');
    batchSize = queueSize;
  }

  const clearTimer = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  const flushOneBatch = (): Promise<void> => {
    clearTimer();
    if (spans.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const exportTimer = setTimeout(() => reject(new Error('Timeout')), timeoutMs);
      context.with(suppressTracing(context.active()), () => {
        let batch = spans;
        if (batch.length <= batchSize) spans = [];
        else batch = spans.splice(0, batchSize);
        exporter.export(batch, (result) => {
          clearTimeout(exportTimer);
          if (result.code === ExportResultCode.SUCCESS) resolve();
          else reject(result.error ?? new Error('BatchSpanProcessor: span export failed'));
        });
      });
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
