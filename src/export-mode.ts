import { diag } from '@opentelemetry/api';
import { env } from './config.js';
import { channel } from './extension-channel.js';

export type ExportMode = 'after-response' | 'before-response';
export type ExportModeSetting = ExportMode | 'auto';

let warned = false;

/**
 * After the response when our extension is registered (Lambda then keeps the sandbox running until the export
 * is done), before it otherwise. `sam local` removes the container right after the response, so there the
 * export always comes first. A forced `after-response` without the extension would lose spans at the freeze,
 * so it falls back, once with a warning.
 */
export function exportMode(setting: ExportModeSetting | undefined): ExportMode {
  const wanted = setting ?? (env('LLM_TRACING_EXPORT_MODE')?.toLowerCase() as ExportModeSetting | undefined) ?? 'auto';
  if (wanted === 'before-response') return 'before-response';
  const possible = channel().registered && env('AWS_SAM_LOCAL') !== 'true';
  if (wanted === 'after-response' && !possible && !warned) {
    warned = true;
    diag.warn('lambda-llm-tracing: after-response export needs the extension (lambda-llm-tracing/extension); exporting before the response');
  }
  return possible ? 'after-response' : 'before-response';
}
