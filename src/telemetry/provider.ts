import { context, propagation, trace, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { batchProcessor } from './batch.js';
import { env, intSetting, isDisabled } from './config.js';
import { asyncLocalStorageContextManager } from './context-manager.js';
import { logDiagToConsole } from './diag-console.js';
import { createExporter } from './exporter.js';
import { propagatorFromEnv } from './propagators.js';
import { queuedCounter } from './queued.js';
import { lambdaResource } from './resource.js';
import { samplerFromEnv } from './sampler.js';
import { listenForSigterm } from './shutdown.js';
import { state } from './state.js';
import type { ProviderOptions } from '../types.js';
import { VERSION } from '../version.js';

export const TRACER_NAME = 'lambda-llm-tracing';
/** Attribute values longer than this are cut by the SDK unless `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` says otherwise. */
export const DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT = 16_384;

/**
 * Creates the provider once per process (a cold start) and registers it, the AsyncLocalStorage context manager
 * and the propagators globally. Returns undefined when the SDK is disabled.
 */
export function ensureProvider(options: ProviderOptions = {}): TracerProvider | undefined {
  const s = state();
  if (s.provider) return s.provider;
  if (isDisabled(options)) return undefined;
  const level = env('OTEL_LOG_LEVEL');
  if (level) logDiagToConsole(level);

  const processor = batchProcessor({
    exporter: options.exporter ?? createExporter(options),
    maxQueueSize: intSetting('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: intSetting('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    scheduledDelayMillis: intSetting('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: intSetting('OTEL_BSP_EXPORT_TIMEOUT'),
  });
  const provider = new TracerProvider({
    resource: lambdaResource(options.serviceName ?? env('OTEL_SERVICE_NAME'), options.resourceAttributes),
    sampler: options.sampler ?? samplerFromEnv(),
    spanProcessors: [queuedCounter, processor, ...(options.spanProcessors ?? [])],
    spanLimits: {
      attributeValueLengthLimit:
        intSetting('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? intSetting('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
      attributeCountLimit: intSetting('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? intSetting('OTEL_ATTRIBUTE_COUNT_LIMIT'),
      eventCountLimit: intSetting('OTEL_SPAN_EVENT_COUNT_LIMIT'),
      linkCountLimit: intSetting('OTEL_SPAN_LINK_COUNT_LIMIT'),
    },
  });
  const propagator = options.propagator ?? propagatorFromEnv();
  // Another SDK may own the globals already; ours then still serves our spans through `getTracer()`.
  const ownsTrace = trace.setGlobalTracerProvider(provider);
  const contextManager = asyncLocalStorageContextManager().enable();
  const ownsContext = context.setGlobalContextManager(contextManager);
  const ownsPropagation = propagation.setGlobalPropagator(propagator);
  s.unregister = () => {
    if (ownsTrace) trace.disable();
    if (ownsContext) context.disable();
    else contextManager.disable();
    if (ownsPropagation) propagation.disable();
  };

  s.provider = provider;
  s.tracer = provider.getTracer(TRACER_NAME, VERSION);
  s.propagator = propagator;
  s.fields = propagator.fields().map((f) => f.toLowerCase());
  if (options.shutdownOnSigterm !== false) s.removeSigtermListener = listenForSigterm();
  return provider;
}

/** Our tracer when the wrapper has started the provider, otherwise whatever the global API has. */
export function getTracer(): Tracer {
  return state().tracer ?? trace.getTracer(TRACER_NAME, VERSION);
}

export function getPropagator(): TextMapPropagator {
  return state().propagator ?? propagation;
}

/** Header names the propagator reads, lower-cased. */
export function propagatorFields(): readonly string[] {
  const s = state();
  return s.propagator ? s.fields : propagation.fields().map((f) => f.toLowerCase());
}
