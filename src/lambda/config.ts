import { diag } from '@opentelemetry/api';
import { DEFAULT_FLUSH_BUDGET_MS, env, msSetting } from '../telemetry/config.js';
import type { WrapperOptions } from '../types.js';
import type { ExportModeSetting } from './export-mode.js';

export const DEFAULT_DEADLINE_MARGIN_MS = 100;
export const DEFAULT_TIMEOUT_SALVAGE_MS = 500;

export interface WrapperConfig {
  exportMode: ExportModeSetting;
  flushBudgetMs: number;
  deadlineMarginMs: number;
  timeoutSalvageMs: number | false;
}

const EXPORT_MODES: readonly string[] = ['auto', 'after-response', 'before-response'];

/**
 * The export mode asked for by option or `LLM_TRACING_EXPORT_MODE`. A misspelt one is said (once per wrapper) rather
 * than silently read as `auto`, which would export before the response where after was meant.
 */
function exportModeSetting(option: ExportModeSetting | undefined): ExportModeSetting {
  const [asked, from] = option !== undefined ? [String(option), 'exportMode'] : [env('LLM_TRACING_EXPORT_MODE')?.toLowerCase(), 'LLM_TRACING_EXPORT_MODE'];
  if (asked === undefined || EXPORT_MODES.includes(asked)) return (asked as ExportModeSetting | undefined) ?? 'auto';
  diag.warn(`lambda-llm-tracing: ${from}=${JSON.stringify(asked)} is not auto, after-response or before-response; using auto`);
  return 'auto';
}

/** One wrapper's settings, read once when the handler is wrapped: options first, then the variables. */
export function wrapperConfig(options: WrapperOptions): WrapperConfig {
  const salvageOff =
    options.timeoutSalvageMs === false || (options.timeoutSalvageMs === undefined && env('LLM_TRACING_TIMEOUT_SALVAGE_MS')?.toLowerCase() === 'off');
  return {
    exportMode: exportModeSetting(options.exportMode),
    flushBudgetMs: msSetting(options.flushBudgetMs, 'LLM_TRACING_FLUSH_BUDGET_MS', DEFAULT_FLUSH_BUDGET_MS),
    deadlineMarginMs: msSetting(options.deadlineMarginMs, 'LLM_TRACING_DEADLINE_MARGIN_MS', DEFAULT_DEADLINE_MARGIN_MS),
    timeoutSalvageMs: salvageOff
      ? false
      : msSetting(options.timeoutSalvageMs === false ? undefined : options.timeoutSalvageMs, 'LLM_TRACING_TIMEOUT_SALVAGE_MS', DEFAULT_TIMEOUT_SALVAGE_MS),
  };
}
