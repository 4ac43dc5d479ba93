import { diag } from '@opentelemetry/api';

/**
 * Runs telemetry code so that it can never throw into the user's handler: a failure is logged through the
 * OpenTelemetry diagnostic logger and the result is undefined.
 */
export function safely<T>(what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    diag.warn(`lambda-llm-tracing: ${what} failed`, error);
    return undefined;
  }
}
