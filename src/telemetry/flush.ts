import { diag } from '@opentelemetry/api';
import { state } from './state.js';

export type FlushOutcome = 'flushed' | 'over-budget' | 'failed' | 'skipped';

/** A budget left after keeping `marginMs` free before the function's deadline, and never above `budgetMs`. */
export function budgetBeforeDeadline(budgetMs: number, remainingMs: number | undefined, marginMs: number): number {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return budgetMs;
  return Math.max(0, Math.min(budgetMs, remainingMs - marginMs));
}

/**
 * Pushes every queued span to the exporter and waits for it at most `budgetMs`. The export itself is not
 * cancelled: if the collector answers after the budget the spans still arrive, when the sandbox next runs. It
 * never rejects, so telemetry cannot change the handler's outcome.
 */
export async function flushWithin(budgetMs: number): Promise<FlushOutcome> {
  const s = state();
  const provider = s.provider;
  if (!provider || budgetMs <= 0) return 'skipped';
  // Nothing ended since the last flush began: that flush (or the batch processor's own) has it all in hand.
  if (s.queued === 0) return 'flushed';
  s.queued = 0;
  let timer: NodeJS.Timeout | undefined;
  const overBudget = new Promise<FlushOutcome>((resolve) => {
    timer = setTimeout(() => resolve('over-budget'), budgetMs);
  });
  try {
    // The provider's own timeout is set past ours so that the only timer deciding the wait is the one above.
    const flushed = provider.forceFlush({ timeoutMillis: budgetMs + 1000 }).then(
      (): FlushOutcome => 'flushed',
      (error: unknown): FlushOutcome => {
        diag.debug('lambda-llm-tracing: span export failed', error);
        return 'failed';
      },
    );
    const outcome = await Promise.race([flushed, overBudget]);
    if (outcome === 'over-budget') diag.warn(`lambda-llm-tracing: span export still running after the ${budgetMs} ms flush budget`);
    return outcome;
  } catch (error) {
    diag.debug('lambda-llm-tracing: flush threw', error);
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}
