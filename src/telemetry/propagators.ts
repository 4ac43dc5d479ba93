import { diag, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { env } from './config.js';

/** The propagators `OTEL_PROPAGATORS` names (default `tracecontext,baggage`). Others would cost bundle bytes. */
export function propagatorFromEnv(): TextMapPropagator {
  const names = (env('OTEL_PROPAGATORS') ?? 'tracecontext,baggage')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  const propagators: TextMapPropagator[] = [];
  for (const name of new Set(names)) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else if (name !== 'none') diag.warn(`lambda-llm-tracing: propagator "${name}" is not supported and is ignored`);
  }
  return new CompositePropagator({ propagators });
}
