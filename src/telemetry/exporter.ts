import { diag } from '@opentelemetry/api';
import { OTLPExporterBase, createOtlpNetworkExportDelegate, type ExporterMetrics } from '@opentelemetry/otlp-exporter-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { env } from './config.js';
import { retryingWithWarnings } from './delivery.js';
import { tracesExportConfig } from './otlp-config.js';
import { createHttpTransport } from './transport.js';
import type { ProviderOptions } from '../types.js';

/**
 * The delegate only calls `startExport` on its metrics. Without a meter provider the base's ExporterMetrics
 * records into a no-op meter anyway, after computing attributes on every export; this skips both, and its bytes.
 * (A cast: the class has private members, so no plain object matches its type.)
 */
const NO_SELF_METRICS = { startExport: () => () => {} } as unknown as ExporterMetrics<ReadableSpan[]>;

/**
 * The OTLP/HTTP trace exporter: the exporter base and the serializer of the configured protocol, as the
 * `exporter-trace-otlp-*` packages assemble them, with our own sender in place of the base's transport (whose
 * `import('http')` costs a cold start undici) and our reading of the OTEL_EXPORTER_OTLP_* variables.
 */
export function createExporter(options: ProviderOptions): SpanExporter {
  let protocol = options.protocol ?? env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/json' && protocol !== 'http/protobuf') {
    diag.warn(`lambda-llm-tracing: OTLP protocol "${protocol}" is not supported here; using http/protobuf`);
    protocol = 'http/protobuf';
  }
  const json = protocol === 'http/json';
  const config = tracesExportConfig(options, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
  const transport = retryingWithWarnings(createHttpTransport(config), config.url);
  const delegate = createOtlpNetworkExportDelegate(config, json ? JsonTraceSerializer : ProtobufTraceSerializer, NO_SELF_METRICS, transport);
  return new OTLPExporterBase<ReadableSpan[]>(delegate);
}
