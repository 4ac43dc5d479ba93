import { diag } from '@opentelemetry/api';
import { ExporterMetrics, OTLPExporterBase, OTLPExporterError, createOtlpNetworkExportDelegate } from '@opentelemetry/otlp-exporter-base';
import { JsonTraceSerializer, ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { env } from './config.js';
import { retryingWithWarnings } from './delivery.js';
import { tracesExportConfig } from './otlp-config.js';
import { createHttpTransport } from './transport.js';
import type { ProviderOptions } from '../types.js';

/** The component type the SDK's own OTLP/HTTP span exporters report for their self-metrics. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/**
 * The OTLP/HTTP trace exporter: the exporter base and the serializer of the configured protocol, as the
 * `exporter-trace-otlp-*` packages assemble them, with our own sender in place of the base's transport (whose
 * `import('http')` costs a cold start undici) and our reading of the OTEL_EXPORTER_OTLP_* variables.
 */
export function createExporter(options: ProviderOptions): SpanExporter {
  let protocol =
    options.protocol ?? env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/json' && protocol !== 'http/protobuf') {
    diag.warn(`lambda-llm-tracing: OTLP protocol "${protocol}" is not supported here; using http/protobuf`);
    protocol = 'http/protobuf';
  }
  const json = protocol === 'http/json';
  const config = tracesExportConfig(options, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
  const transport = retryingWithWarnings(createHttpTransport(config), config.url);
  const metrics = new ExporterMetrics({
    componentType: COMPONENT_TYPE,
    metricsHelper: TraceExporterMetricsHelper,
    url: config.url,
    meterProvider: undefined,
    responseAttributesFromError: (error) => (error instanceof OTLPExporterError && error.code ? { 'http.response.status_code': error.code } : {}),
  });
  const delegate = createOtlpNetworkExportDelegate(config, json ? JsonTraceSerializer : ProtobufTraceSerializer, metrics, transport);
  return new OTLPExporterBase<ReadableSpan[]>(delegate);
}
