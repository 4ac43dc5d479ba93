import { diag } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { env } from './config.js';
import type { ProviderOptions } from './types.js';

/**
 * The OTLP/HTTP exporter for the configured protocol. Endpoint, headers, timeout and compression variables are
 * read by the exporter itself; options passed here win over them.
 */
export function createExporter(options: ProviderOptions): SpanExporter {
  const protocol =
    options.protocol ?? env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  const config = {
    ...(options.endpoint ? { url: options.endpoint } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.exportTimeoutMs ? { timeoutMillis: options.exportTimeoutMs } : {}),
  };
  if (protocol === 'http/json') return new JsonExporter(config);
  if (protocol !== 'http/protobuf') {
    diag.warn(`lambda-llm-tracing: OTLP protocol "${protocol}" is not supported here; using http/protobuf`);
  }
  return new ProtobufExporter(config);
}
