import { context as otelContext } from '@opentelemetry/api';
import { channel, exportStarted } from '../extension/channel.js';
import { budgetBeforeDeadline, flushWithin } from '../telemetry/flush.js';
import { ensureProvider } from '../telemetry/provider.js';
import { safely } from '../telemetry/safe.js';
import { prewarmTransports } from '../telemetry/transport.js';
import type { LambdaContext, LlmTracingOptions } from '../types.js';
import type { WrapperConfig } from './config.js';
import { exportMode } from './export-mode.js';
import { Invocation } from './invocation.js';
import { armTimeoutSalvage, remainingMs } from './timeout.js';

/**
 * Runs one invocation inside its span, whatever the execution mode: salvage armed, children ended before the
 * span, then the export, either awaited before returning or, when the extension keeps the sandbox running,
 * handed to it and left to finish after the response. The handler's result and error pass through as the same
 * objects; without a span (telemetry failed to start) the handler simply runs.
 */
export async function runInvocation<R>(
  event: unknown,
  lambdaContext: LambdaContext,
  options: LlmTracingOptions,
  config: WrapperConfig,
  run: (invocation: Invocation | undefined) => Promise<R>,
): Promise<R> {
  // A no-op after the first call; starts a fresh provider after `shutdownTracing()`.
  safely('starting the tracer provider', () => ensureProvider(options));
  const mode = exportMode(config.exportMode);
  const invocation = safely('starting the invocation span', () => Invocation.start(event, lambdaContext, options, mode));
  if (!invocation) return run(undefined);
  // Only a sampled invocation will export: an unsampled one has no reason to hold a connection open.
  if (invocation.span.isRecording()) safely('connecting to the collector', prewarmTransports);

  const disarm = armTimeoutSalvage(lambdaContext, config.timeoutSalvageMs, (leadMs) => {
    safely('the timeout salvage', () => {
      invocation.finishOpenSpans();
      invocation.salvage();
    });
    const margin = Math.min(config.deadlineMarginMs, leadMs / 4);
    void flushWithin(budgetBeforeDeadline(config.flushBudgetMs, remainingMs(lambdaContext), margin));
  });
  try {
    const result = await otelContext.with(invocation.context, () => run(invocation));
    // Children left open (an unconsumed stream) end before their parent does.
    invocation.finishOpenSpans();
    safely('ending the invocation span', () => invocation.end({ result }));
    return result;
  } catch (error) {
    invocation.finishOpenSpans();
    safely('ending the invocation span', () => invocation.end({ error }));
    throw error;
  } finally {
    disarm();
    await exportSpans(lambdaContext, config, mode === 'after-response');
  }
}

/**
 * After the response, the export waits until the runtime has posted it: serialising and sending the batch is CPU
 * work on the same thread. aws-lambda-ric posts from a setImmediate queued once our promise resolves
 * (LifecycleManager.succeed), so ours runs one check phase later, behind it.
 */
async function exportSpans(lambdaContext: LambdaContext, config: WrapperConfig, afterResponse: boolean): Promise<void> {
  const flush = () => flushWithin(budgetBeforeDeadline(config.flushBudgetMs, remainingMs(lambdaContext), config.deadlineMarginMs));
  const requestId = lambdaContext?.awsRequestId;
  const flushed = afterResponse ? afterRuntimeResponse().then(flush) : flush();
  if (!afterResponse) await flushed;
  if (channel().registered && typeof requestId === 'string') exportStarted(requestId, flushed);
}

function afterRuntimeResponse(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
