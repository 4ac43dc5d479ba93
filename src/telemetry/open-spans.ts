import { context, createContextKey, type Context as OtelContext } from '@opentelemetry/api';

/**
 * Spans that may never end on their own: a stream nobody iterates, a response read only through `.asResponse()`.
 * Each invocation keeps a set of their finishers in its context; the wrapper runs the ones still open before it
 * flushes, so such a span is exported (marked as abandoned) instead of lost.
 */
const OPEN_SPANS = createContextKey('lambda-llm-tracing.open-spans');
type Finisher = () => void;

export function withOpenSpanSet(ctx: OtelContext): { context: OtelContext; finishOpenSpans: () => void } {
  const open = new Set<Finisher>();
  return {
    context: ctx.setValue(OPEN_SPANS, open),
    finishOpenSpans: () => {
      for (const finish of [...open]) {
        try {
          finish();
        } catch {
          // A finisher only ends a span; nothing to report if it cannot.
        }
      }
      open.clear();
    },
  };
}

/** Registers a finisher with the active invocation, if any; returns the function that unregisters it. */
export function trackOpenSpan(finish: Finisher): () => void {
  const open = context.active().getValue(OPEN_SPANS) as Set<Finisher> | undefined;
  if (!open) return () => {};
  open.add(finish);
  return () => open.delete(finish);
}
