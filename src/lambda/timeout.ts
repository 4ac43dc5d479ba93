import type { LambdaContext } from '../types.js';

/** Time left in this invocation, or undefined when the context cannot tell (a direct call in a test, say). */
export function remainingMs(context: LambdaContext | undefined): number | undefined {
  try {
    const ms = context?.getRemainingTimeInMillis?.();
    return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onTimeout` shortly before the deadline if the handler is still running then, so the invocation's trace
 * is exported before Lambda kills the sandbox. The lead is at most a tenth of the invocation's time, so a short
 * function is not cut off early. Returns the disarm function.
 */
export function armTimeoutSalvage(context: LambdaContext | undefined, leadMs: number | false, onTimeout: (leadMs: number) => void): () => void {
  const remaining = remainingMs(context);
  if (leadMs === false || remaining === undefined || remaining <= 0) return () => {};
  const lead = Math.min(leadMs, remaining / 10);
  const timer = setTimeout(() => onTimeout(lead), remaining - lead);
  // The runtime's pending request keeps the process alive; this timer must not.
  timer.unref();
  return () => clearTimeout(timer);
}
