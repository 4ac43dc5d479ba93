import { diag } from '@opentelemetry/api';
import { channel } from '../extension/channel.js';

export type ExportMode = 'after-response' | 'before-response';
export type ExportModeSetting = ExportMode | 'auto';

let warned = false;

/**
 * After the response when our extension is registered (Lambda then keeps the sandbox running until the export
 * is done), before it otherwise. `sam local` removes the container right after the response, so there the
 * export always comes first. A forced `after-response` without the extension would lose spans at the freeze,
 * so it falls back, once with a warning.
 */
export function exportMode(wanted: ExportModeSetting): ExportMode {
  if (wanted === 'before-response') return 'before-response';
  // The extension stays out under sam local, so `registered` already says all; it can also stop later.
  const possible = channel().registered;
  if (wanted === 'after-response' && !possible && !warned) {
    warned = true;
    diag.warn('lambda-llm-tracing: after-response export needs the extension (lambda-llm-tracing/extension); exporting before the response');
  }
  return possible ? 'after-response' : 'before-response';
}
