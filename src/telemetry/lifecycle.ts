import { DEFAULT_FLUSH_BUDGET_MS } from './config.js';
import { flushWithin, type FlushOutcome } from './flush.js';
import { shutdownWithin } from './shutdown.js';

/** Exports every queued span, waiting at most `budgetMs` (default: the flush budget default). Never rejects. */
export function forceFlush(budgetMs: number = DEFAULT_FLUSH_BUDGET_MS): Promise<FlushOutcome> {
  return flushWithin(budgetMs);
}

/**
 * Exports what is queued and shuts the provider down, waiting at most `budgetMs`. The next wrapped invocation
 * starts a new provider, reading the configuration again.
 */
export function shutdownTracing(budgetMs: number = DEFAULT_FLUSH_BUDGET_MS): Promise<void> {
  return shutdownWithin(budgetMs);
}
