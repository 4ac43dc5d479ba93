import { diag } from '@opentelemetry/api';

/** Runs telemetry code so that it can never throw into the user's handler; a failure is logged and defaulted. */
export function safely<T>(what: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    diag.warn(`lambda-llm-tracing: ${what} failed`, error);
    return fallback;
  }
}
