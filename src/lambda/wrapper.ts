import { context as otelContext } from '@opentelemetry/api';
import { wrapperConfig, type WrapperConfig } from '../telemetry/config.js';
import { channel, exportStarted } from '../extension/channel.js';
import { exportMode } from './export-mode.js';
import { budgetBeforeDeadline, flushWithin } from '../telemetry/flush.js';
import { invokeHandler } from './handler.js';
import { endInvocation, recordHttpStatus, recordStreamFailure, salvageInvocation, startInvocation, type Invocation } from './invocation.js';
import { ensureProvider } from '../telemetry/provider.js';
import { safely } from '../telemetry/safe.js';
import { copyStreamingMarks, isStreamingHandler, observeResponseStream, type ResponseStream, type StreamingHandler } from './streaming.js';
import { armTimeoutSalvage, remainingMs } from './timeout.js';
import type { Writable } from 'node:stream';
import type { AnyHandler, LambdaContext, LlmTracingOptions, TracedHandler } from '../types.js';

/**
 * Runs one invocation inside its span: salvage armed, children ended before the span, then the export, either
 * awaited before returning or, when the extension keeps the sandbox running, handed to it and left to finish
 * after the response. The handler's result and error pass through as the same objects.
 */
async function traced<R>(
  event: unknown,
  lambdaContext: LambdaContext,
  options: LlmTracingOptions,
  config: WrapperConfig,
  run: (invocation: Invocation | undefined) => Promise<R>,
): Promise<R> {
  // A no-op after the first call; starts a fresh provider after `shutdownTracing()`.
  safely('starting the tracer provider', () => ensureProvider(options));
  const mode = exportMode(config.exportMode);
  const invocation = safely('starting the invocation span', () => startInvocation(event, lambdaContext, options, mode));
  if (!invocation) return run(undefined);

  const disarm = armTimeoutSalvage(lambdaContext, config.timeoutSalvageMs, (leadMs) => {
    safely('the timeout salvage', () => {
      invocation.finishOpenSpans();
      salvageInvocation(invocation);
    });
    const margin = Math.min(config.deadlineMarginMs, leadMs / 4);
    void flushWithin(budgetBeforeDeadline(config.flushBudgetMs, remainingMs(lambdaContext), margin));
  });
  try {
    const result = await otelContext.with(invocation.context, () => run(invocation));
    // Children left open (an unconsumed stream) end before their parent does.
    invocation.finishOpenSpans();
    safely('ending the invocation span', () => endInvocation(invocation, { result }, options));
    return result;
  } catch (error) {
    invocation.finishOpenSpans();
    safely('ending the invocation span', () => endInvocation(invocation, { error }, options));
    throw error;
  } finally {
    disarm();
    const flush = () => flushWithin(budgetBeforeDeadline(config.flushBudgetMs, remainingMs(lambdaContext), config.deadlineMarginMs));
    const requestId = lambdaContext?.awsRequestId;
    // After the response, the export waits until the runtime has posted it: serialising and sending the batch is
    // CPU work on the same thread. aws-lambda-ric posts from a setImmediate queued once our promise resolves
    // (LifecycleManager.succeed), so ours runs one check phase later, behind it.
    const flushed = mode === 'after-response' ? afterRuntimeResponse().then(flush) : flush();
    if (mode !== 'after-response') await flushed;
    if (channel().registered && typeof requestId === 'string') exportStarted(requestId, flushed);
  }
}

/**
 * Wraps a Lambda handler: one span per invocation, parented on the trace context the event carries, and every
 * queued span exported within the flush budget: before the response, or after it when the
 * `lambda-llm-tracing/extension` module is loaded. A handler made with `awslambda.streamifyResponse` stays a
 * streaming handler, its span covering the whole stream. Telemetry failures never reach the caller.
 */
export function withLlmTracing<E = unknown, R = unknown, C extends LambdaContext = LambdaContext>(
  handler: AnyHandler<E, R, C>,
  options?: LlmTracingOptions,
): TracedHandler<E, R, C>;
export function withLlmTracing<E = unknown, C extends LambdaContext = LambdaContext, S = Writable>(
  handler: StreamingHandler<E, C, S>,
  options?: LlmTracingOptions,
): StreamingHandler<E, C, S>;
export function withLlmTracing<E = unknown, R = unknown, C extends LambdaContext = LambdaContext, S = Writable>(
  handler: AnyHandler<E, R, C> | StreamingHandler<E, C, S>,
  options: LlmTracingOptions = {},
): TracedHandler<E, R, C> | StreamingHandler<E, C, S> {
  const config = wrapperConfig(options);
  const provider = safely('starting the tracer provider', () => ensureProvider(options));
  const streaming = isStreamingHandler(handler);
  if (!provider) {
    return streaming ? (handler as StreamingHandler<E, C, S>) : async (event: E, lambdaContext: C) => invokeHandler(handler as AnyHandler<E, R, C>, event, lambdaContext);
  }
  channel().wrapperLoaded = true;

  if (streaming) {
    const inner = handler as StreamingHandler<E, C, S>;
    const tracedStreaming = async function tracedStreamingHandler(event: E, responseStream: S, lambdaContext: C): Promise<unknown> {
      return traced(event, lambdaContext, options, config, async (invocation) => {
        const stream = responseStream as unknown as ResponseStream;
        const watched = invocation
          ? safely('watching the response stream', () => observeResponseStream(stream, invocation.span, performance.now(), (status) => recordHttpStatus(invocation, status)))
          : undefined;
        const result = await inner(event, responseStream, lambdaContext);
        const ended = watched ? await Promise.race([watched, untilDeadline(lambdaContext, config)]) : undefined;
        if (invocation && ended?.error !== undefined) recordStreamFailure(invocation, ended.error);
        return result;
      });
    };
    copyStreamingMarks(handler, tracedStreaming);
    return tracedStreaming;
  }

  return async function tracedHandler(event: E, lambdaContext: C): Promise<R> {
    return traced(event, lambdaContext, options, config, () => invokeHandler(handler as AnyHandler<E, R, C>, event, lambdaContext));
  };
}

function afterRuntimeResponse(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** The runtime waits for the stream too, but a stream nobody ends must not hold the span past the deadline. */
function untilDeadline(lambdaContext: LambdaContext, config: WrapperConfig): Promise<undefined> {
  const ms = Math.max(0, (remainingMs(lambdaContext) ?? 0) - config.deadlineMarginMs);
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
