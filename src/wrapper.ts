import { context as otelContext } from '@opentelemetry/api';
import { wrapperConfig } from './config.js';
import { budgetBeforeDeadline, flushWithin } from './flush.js';
import { invokeHandler } from './handler.js';
import { endInvocation, salvageInvocation, startInvocation, type Invocation } from './invocation.js';
import { ensureProvider } from './provider.js';
import { safely } from './safe.js';
import { armTimeoutSalvage, remainingMs } from './timeout.js';
import type { AnyHandler, LambdaContext, LlmTracingOptions, TracedHandler } from './types.js';

/**
 * Wraps a Lambda handler: one span per invocation, parented on the trace context the event carries, and every
 * queued span flushed before the response is returned, waiting at most the flush budget. The handler's result
 * and error pass through unchanged; telemetry failures never reach the caller.
 */
export function withLlmTracing<E = unknown, R = unknown, C extends LambdaContext = LambdaContext>(
  handler: AnyHandler<E, R, C>,
  options: LlmTracingOptions = {},
): TracedHandler<E, R, C> {
  const config = wrapperConfig(options);
  const provider = safely('starting the tracer provider', () => ensureProvider(options), undefined);
  if (!provider) return async (event: E, lambdaContext: C) => invokeHandler(handler, event, lambdaContext);

  return async function tracedHandler(event: E, lambdaContext: C): Promise<R> {
    // A no-op after the first call; starts a fresh provider after `shutdownTracing()`.
    safely('starting the tracer provider', () => ensureProvider(options), undefined);
    const invocation: Invocation | undefined = safely('starting the invocation span', () => startInvocation(event, lambdaContext, options), undefined);
    if (!invocation) return invokeHandler(handler, event, lambdaContext);

    const disarm = armTimeoutSalvage(lambdaContext, config.timeoutSalvageMs, (leadMs) => {
      safely('the timeout salvage', () => {
        invocation.finishOpenSpans();
        salvageInvocation(invocation);
      }, undefined);
      const margin = Math.min(config.deadlineMarginMs, leadMs / 4);
      void flushWithin(budgetBeforeDeadline(config.flushBudgetMs, remainingMs(lambdaContext), margin));
    });
    try {
      const result = await otelContext.with(invocation.context, () => invokeHandler(handler, event, lambdaContext));
      // Children left open (an unconsumed stream) end before their parent does.
      invocation.finishOpenSpans();
      safely('ending the invocation span', () => endInvocation(invocation, { result }, options), undefined);
      return result;
    } catch (error) {
      invocation.finishOpenSpans();
      safely('ending the invocation span', () => endInvocation(invocation, { error }, options), undefined);
      throw error;
    } finally {
      disarm();
      await flushWithin(budgetBeforeDeadline(config.flushBudgetMs, remainingMs(lambdaContext), config.deadlineMarginMs));
    }
  };
}
