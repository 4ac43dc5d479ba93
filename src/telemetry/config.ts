import { diag } from '@opentelemetry/api';
import type { ProviderOptions } from '../types.js';

export const DEFAULT_FLUSH_BUDGET_MS = 1000;

export function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === '' ? undefined : value;
}

/** A non-negative number from an option, else the variable, else the default; a bad variable is reported once. */
export function msSetting(option: number | undefined, variable: string, fallback: number): number {
  if (typeof option === 'number' && Number.isFinite(option) && option >= 0) return option;
  const raw = env(variable);
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (Number.isFinite(parsed) && parsed >= 0) return parsed;
  diag.warn(`lambda-llm-tracing: ignoring ${variable}=${JSON.stringify(raw)}, expected a number of milliseconds`);
  return fallback;
}

export function isDisabled(options: ProviderOptions): boolean {
  if (typeof options.disabled === 'boolean') return options.disabled;
  return env('OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
}

/** Reads an integer `OTEL_*` limit; undefined when unset or malformed (the SDK default then applies). */
export function intSetting(variable: string): number | undefined {
  const raw = env(variable);
  if (raw === undefined) return undefined;
  const parsed = Number(raw);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : undefined;
}
