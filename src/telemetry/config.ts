import { diag } from '@opentelemetry/api';
import type { ExportModeSetting } from '../lambda/export-mode.js';
import type { ProviderOptions, WrapperOptions } from '../types.js';

export const DEFAULT_FLUSH_BUDGET_MS = 1000;
export const DEFAULT_DEADLINE_MARGIN_MS = 100;
export const DEFAULT_TIMEOUT_SALVAGE_MS = 500;

export interface WrapperConfig {
  exportMode: ExportModeSetting;
  flushBudgetMs: number;
  deadlineMarginMs: number;
  timeoutSalvageMs: number | false;
}

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

/** The export mode asked for by option or `LLM_TRACING_EXPORT_MODE`. */
function exportModeSetting(option: ExportModeSetting | undefined): ExportModeSetting {
  return option ?? (env('LLM_TRACING_EXPORT_MODE')?.toLowerCase() as ExportModeSetting | undefined) ?? 'auto';
}

export function wrapperConfig(options: WrapperOptions): WrapperConfig {
  const salvageOff =
    options.timeoutSalvageMs === false ||
    (options.timeoutSalvageMs === undefined && env('LLM_TRACING_TIMEOUT_SALVAGE_MS')?.toLowerCase() === 'off');
  return {
    exportMode: exportModeSetting(options.exportMode),
    flushBudgetMs: msSetting(options.flushBudgetMs, 'LLM_TRACING_FLUSH_BUDGET_MS', DEFAULT_FLUSH_BUDGET_MS),
    deadlineMarginMs: msSetting(options.deadlineMarginMs, 'LLM_TRACING_DEADLINE_MARGIN_MS', DEFAULT_DEADLINE_MARGIN_MS),
    timeoutSalvageMs: salvageOff
      ? false
      : msSetting(
          options.timeoutSalvageMs === false ? undefined : options.timeoutSalvageMs,
          'LLM_TRACING_TIMEOUT_SALVAGE_MS',
          DEFAULT_TIMEOUT_SALVAGE_MS,
        ),
  };
}

/** Reads an integer `OTEL_*` limit; undefined when unset or malformed (the SDK default then applies). */
export function intSetting(variable: string): number | undefined {
  const raw = env(variable);
  if (raw === undefined) return undefined;
  const parsed = Number(raw);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : undefined;
}
