import type { TextMapPropagator, Tracer } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';

/** What one process (one Lambda sandbox) holds. */
export interface TracingState {
  provider: TracerProvider | undefined;
  tracer: Tracer | undefined;
  propagator: TextMapPropagator | undefined;
  /** The propagator's header names, lower-cased, computed once: they are read on every invocation. */
  fields: readonly string[];
  /** Sampled spans ended since the last flush began (see queued.ts). */
  queued: number;
  /** Set once the first invocation has started; cold start is a property of the process, not of the provider. */
  invoked: boolean;
  removeSigtermListener: (() => void) | undefined;
  /** Undoes our global registrations (only those that succeeded), so a later start can register again. */
  unregister: (() => void) | undefined;
}

const KEY = Symbol.for('lambda-llm-tracing.state');

/**
 * Kept on `globalThis` so that the ESM and CJS builds, or two bundled copies, share one provider instead of
 * exporting every span twice.
 */
export function state(): TracingState {
  const g = globalThis as { [KEY]?: TracingState };
  return (g[KEY] ??= {
    provider: undefined,
    tracer: undefined,
    propagator: undefined,
    fields: [],
    queued: 0,
    invoked: false,
    removeSigtermListener: undefined,
    unregister: undefined,
  });
}
