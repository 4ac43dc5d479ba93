import { diag } from '@opentelemetry/api';
import { state } from './state.js';

/**
 * Lambda gives a SIGTERM listener about 500 ms before SIGKILL, and while the runtime waits for its next event
 * `process.exit()` does not end the process, so the work must finish inside that time on its own.
 */
export const SIGTERM_BUDGET_MS = 400;

/** Shuts the provider down, exporting what is queued, waiting at most `budgetMs`; never rejects. */
export async function shutdownWithin(budgetMs: number): Promise<void> {
  const s = state();
  const provider = s.provider;
  if (!provider) return;
  s.removeSigtermListener?.();
  s.unregister?.();
  s.unregister = undefined;
  s.provider = undefined;
  s.tracer = undefined;
  s.propagator = undefined;
  s.fields = [];
  s.removeSigtermListener = undefined;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    provider.shutdown().catch((error: unknown) => diag.debug('lambda-llm-tracing: shutdown failed', error)),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs))),
  ]);
  clearTimeout(timer);
}

/**
 * Exports queued spans on SIGTERM. A listener stops Node's default exit on SIGTERM, so when ours is the only one
 * it re-raises the signal after the export, keeping the process's own behaviour.
 */
export function listenForSigterm(): () => void {
  const onSigterm = () => {
    void shutdownWithin(SIGTERM_BUDGET_MS).finally(() => {
      if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
    });
  };
  process.once('SIGTERM', onSigterm);
  return () => process.removeListener('SIGTERM', onSigterm);
}
