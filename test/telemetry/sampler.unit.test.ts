import { diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type DiagLogger } from '@opentelemetry/api';
import { SamplingDecision, type Sampler } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { samplerFromEnv } from '../../src/telemetry/sampler.js';

let warnings: string[];
beforeEach(() => {
  delete process.env.OTEL_TRACES_SAMPLER;
  delete process.env.OTEL_TRACES_SAMPLER_ARG;
  warnings = [];
  const logger: DiagLogger = { error() {}, warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
});
afterEach(() => {
  delete process.env.OTEL_TRACES_SAMPLER;
  delete process.env.OTEL_TRACES_SAMPLER_ARG;
  diag.disable();
});

function withEnv(sampler: string | undefined, arg?: string): Sampler {
  if (sampler !== undefined) process.env.OTEL_TRACES_SAMPLER = sampler;
  if (arg !== undefined) process.env.OTEL_TRACES_SAMPLER_ARG = arg;
  return samplerFromEnv();
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
/** The decision for a root span, and for a child of a sampled remote parent. */
function decisions(sampler: Sampler): { root: SamplingDecision; sampledParent: SamplingDecision } {
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
  return {
    root: sampler.shouldSample(ROOT_CONTEXT, TRACE_ID, 'x', SpanKind.SERVER, {}, []).decision,
    sampledParent: sampler.shouldSample(parent, TRACE_ID, 'x', SpanKind.SERVER, {}, []).decision,
  };
}
const { RECORD_AND_SAMPLED: ON, NOT_RECORD: OFF } = SamplingDecision;

describe('samplerFromEnv', () => {
  it('defaults to parentbased_always_on', () => {
    const sampler = withEnv(undefined);
    expect(sampler.toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(decisions(sampler)).toEqual({ root: ON, sampledParent: ON });
  });

  it('builds each sampler the specification names, case-insensitively', () => {
    expect(withEnv('always_on').toString()).toBe('AlwaysOnSampler');
    expect(withEnv('ALWAYS_OFF').toString()).toBe('AlwaysOffSampler');
    expect(decisions(withEnv('always_off'))).toEqual({ root: OFF, sampledParent: OFF });
    expect(decisions(withEnv('parentbased_always_off'))).toEqual({ root: OFF, sampledParent: ON });
    expect(withEnv('parentbased_always_on').toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(warnings).toEqual([]);
  });

  it('reads the ratio of traceidratio and parentbased_traceidratio from OTEL_TRACES_SAMPLER_ARG', () => {
    expect(withEnv('traceidratio', '0.25').toString()).toBe('TraceIdRatioBased{0.25}');
    expect(decisions(withEnv('traceidratio', '0'))).toEqual({ root: OFF, sampledParent: OFF });
    const parentBased = withEnv('parentbased_traceidratio', '0');
    expect(parentBased.toString()).toMatch(/^ParentBased\{root=TraceIdRatioBased\{0\}/);
    expect(decisions(parentBased)).toEqual({ root: OFF, sampledParent: ON });
    expect(warnings).toEqual([]);
  });

  it('uses a ratio of 1 when the argument is missing, with no warning', () => {
    expect(withEnv('traceidratio').toString()).toBe('TraceIdRatioBased{1}');
    expect(warnings).toEqual([]);
  });

  it('uses a ratio of 1, with a warning, for an argument that is not a ratio in [0, 1]', () => {
    for (const bad of ['half', '1.5', '-0.1', 'NaN', 'Infinity']) expect(withEnv('traceidratio', bad).toString()).toBe('TraceIdRatioBased{1}');
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toBe('lambda-llm-tracing: OTEL_TRACES_SAMPLER_ARG="half" is not a ratio in [0, 1]; using 1');
  });

  it('falls back to parentbased_always_on, with a warning, for a sampler it does not know', () => {
    const sampler = withEnv('jaeger_remote');
    expect(sampler.toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(warnings).toEqual(['lambda-llm-tracing: OTEL_TRACES_SAMPLER=jaeger_remote is not supported; using parentbased_always_on']);
  });

  it('treats an empty or blank variable as unset', () => {
    expect(withEnv('  ').toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(withEnv('traceidratio', ' ').toString()).toBe('TraceIdRatioBased{1}');
    expect(warnings).toEqual([]);
  });
});
