import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  propagation,
  trace,
  type DiagLogger,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { composite, propagatorFromEnv } from '../../src/telemetry/propagators.ts';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const broken: TextMapPropagator = {
  inject() {
    throw new Error('cannot inject');
  },
  extract() {
    throw new Error('cannot extract');
  },
  fields: () => ['traceparent', 'x-broken'],
};

/** What a propagator does with one carrier: the context it extracts, then what it injects from that context. */
function roundTrip(p: TextMapPropagator) {
  const carrier = { traceparent: TRACEPARENT, tracestate: 'a=1', baggage: 'user=alice' };
  const ctx = p.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const out: Record<string, string> = {};
  p.inject(ctx, out, defaultTextMapSetter);
  return { span: trace.getSpanContext(ctx), baggage: propagation.getBaggage(ctx)?.getAllEntries(), out, fields: p.fields() };
}

describe('the composite propagator', () => {
  afterEach(() => {
    diag.disable();
    delete process.env.OTEL_PROPAGATORS;
  });

  it('extracts, injects and lists fields as the SDK CompositePropagator, a throwing member warned about and skipped', () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as unknown as DiagLogger;
    diag.setLogger(logger, { suppressOverrideMessage: true });
    const members = () => [new W3CTraceContextPropagator(), broken, new W3CBaggagePropagator()];
    const sdk = roundTrip(new CompositePropagator({ propagators: members() }));
    const sdkWarnings = warnings.splice(0);
    const ours = roundTrip(composite(members()));
    expect(ours).toEqual(sdk);
    expect(ours.out.traceparent).toBe(TRACEPARENT);
    expect(warnings.map((w) => w.replace(/ with \S+\./, ' with X.'))).toEqual(sdkWarnings.map((w) => w.replace(/ with \S+\./, ' with X.')));
    expect(warnings).toHaveLength(2);
  });

  it('OTEL_PROPAGATORS picks the members; the default is tracecontext,baggage', () => {
    expect(propagatorFromEnv().fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    process.env.OTEL_PROPAGATORS = 'baggage';
    expect(propagatorFromEnv().fields()).toEqual(['baggage']);
  });
});
