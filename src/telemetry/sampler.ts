import { diag } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { env } from './config.js';

function ratio(): number {
  const raw = env('OTEL_TRACES_SAMPLER_ARG');
  const value = raw === undefined ? 1 : Number(raw);
  if (Number.isFinite(value) && value >= 0 && value <= 1) return value;
  diag.warn(`lambda-llm-tracing: OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(raw)} is not a ratio in [0, 1]; using 1`);
  return 1;
}

/** The sampler `OTEL_TRACES_SAMPLER` names; the SDK 3.x provider no longer reads the variable itself. */
export function samplerFromEnv(): Sampler {
  const name = env('OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      diag.warn(`lambda-llm-tracing: OTEL_TRACES_SAMPLER=${name} is not supported; using parentbased_always_on`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
