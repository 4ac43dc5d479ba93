import type { Writable } from 'node:stream';
import { channel } from '../extension/channel.js';
import { ensureProvider } from '../telemetry/provider.js';
import { safely } from '../telemetry/safe.js';
import type { AnyHandler, CallbackHandler, LambdaContext, LlmTracingOptions, TracedHandler } from '../types.js';
import { wrapperConfig } from './config.js';
import { invokeHandler } from './handler.js';
import { tracePlainHandler } from './mode-plain.js';
import { traceStreamingHandler } from './mode-streaming.js';
import { isStreamingHandler, type StreamingHandler } from './response-stream.js';

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
// Against the union above, a fully annotated `(event, context, callback: Callback<R>) => void` handler gets R from
// its `void` return, and its callback then no longer fits: callback handlers alone take R from the callback.
export function withLlmTracing<E = unknown, R = unknown, C extends LambdaContext = LambdaContext>(
  handler: CallbackHandler<E, R, C>,
  options?: LlmTracingOptions,
): TracedHandler<E, R, C>;
export function withLlmTracing<E = unknown, C extends LambdaContext = LambdaContext, S = Writable, R = unknown>(
  handler: StreamingHandler<E, C, S, R>,
  options?: LlmTracingOptions,
): StreamingHandler<E, C, S, R>;
export function withLlmTracing<E = unknown, R = unknown, C extends LambdaContext = LambdaContext, S = Writable>(
  handler: AnyHandler<E, R, C> | StreamingHandler<E, C, S, R>,
  options: LlmTracingOptions = {},
): TracedHandler<E, R, C> | StreamingHandler<E, C, S, R> {
  const config = wrapperConfig(options);
  const provider = safely('starting the tracer provider', () => ensureProvider(options));
  const streaming = isStreamingHandler(handler);
  if (!provider) {
    // Disabled (OTEL_SDK_DISABLED) or failed to start: a pass-through, still two-parameter for nodejs24.x.
    return streaming
      ? (handler as StreamingHandler<E, C, S, R>)
      : async (event: E, lambdaContext: C) => invokeHandler(handler as AnyHandler<E, R, C>, event, lambdaContext);
  }
  channel().wrapperLoaded = true;
  return streaming
    ? traceStreamingHandler(handler as StreamingHandler<E, C, S, R>, options, config)
    : tracePlainHandler(handler as AnyHandler<E, R, C>, options, config);
}
