import { diag, type TextMapPropagator } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
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
  return composite(propagators);
}

/**
 * The SDK's CompositePropagator in a few lines: each propagator in turn, one that throws warned about and
 * skipped, the fields of all without repeats.
 */
export function composite(propagators: TextMapPropagator[]): TextMapPropagator {
  const fields = [...new Set(propagators.flatMap((p) => p.fields()))];
  const warn = (what: string, p: TextMapPropagator, error: unknown) =>
    diag.warn(`Failed to ${what} with ${p.constructor.name}. Err: ${(error as Error | undefined)?.message}`);
  return {
    inject(ctx, carrier, setter) {
      for (const p of propagators) {
        try {
          p.inject(ctx, carrier, setter);
        } catch (error) {
          warn('inject', p, error);
        }
      }
    },
    extract: (ctx, carrier, getter) =>
      propagators.reduce((acc, p) => {
        try {
          return p.extract(acc, carrier, getter);
        } catch (error) {
          warn('extract', p, error);
          return acc;
        }
      }, ctx),
    fields: () => fields.slice(),
  };
}
