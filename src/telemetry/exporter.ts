import { diag } from '@opentelemetry/api';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { JsonTraceSerializer, ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { env } from './config.js';
import type { ProviderOptions } from '../types.js';

/** The component type the SDK's own OTLP/HTTP span exporters report for their self-metrics. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/**
 * The OTLP/HTTP trace exporter, built from the exporter base and the serializer of the configured protocol: the
 * same three calls the two `exporter-trace-otlp-*` packages make, without shipping two copies of their shared
 * base. Endpoint, headers, timeout and compression variables are read by the base; options win over them.
 */
export function createExporter(options: ProviderOptions): SpanExporter {
  let protocol =
    options.protocol ?? env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/json' && protocol !== 'http/protobuf') {
    diag.warn(`lambda-llm-tracing: OTLP protocol "${protocol}" is not supported here; using http/protobuf`);
    protocol = 'http/protobuf';
  }
  const json = protocol === 'http/json';
  const config = convertLegacyHttpOptions(
    {
      ...(options.endpoint ? { url: options.endpoint } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.exportTimeoutMs ? { timeoutMillis: options.exportTimeoutMs } : {}),
    },
    'TRACES',
    'v1/traces',
    { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' },
  );
  const delegate = createOtlpHttpExportDelegate(
    config,
    json ? JsonTraceSerializer : ProtobufTraceSerializer,
    COMPONENT_TYPE,
    TraceExporterMetricsHelper,
    undefined,
  );
  return new OTLPExporterBase<ReadableSpan[]>(delegate);
}
