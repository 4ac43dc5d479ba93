import { safely } from '../telemetry/safe.js';
import type { LambdaContext, LlmTracingOptions } from '../types.js';
import type { WrapperConfig } from './config.js';
import { copyStreamingMarks, observeResponseStream, type ResponseStream, type StreamingHandler } from './response-stream.js';
import { runInvocation } from './run.js';
import { remainingMs } from './timeout.js';

/**
 * The response-streaming execution mode (`awslambda.streamifyResponse`): the span covers the whole stream, not
 * only the handler's promise, with time to first byte, bytes, and the HTTP status from the prelude. The marks the
 * runtime reads are copied, so it still streams through the wrapper.
 */
export function traceStreamingHandler<E, C extends LambdaContext, S, R>(
  handler: StreamingHandler<E, C, S, R>,
  options: LlmTracingOptions,
  config: WrapperConfig,
): StreamingHandler<E, C, S, R> {
  const traced = async function tracedStreamingHandler(event: E, responseStream: S, lambdaContext: C): Promise<R> {
    return runInvocation(event, lambdaContext, options, config, async (invocation) => {
      const stream = responseStream as unknown as ResponseStream;
      const watched = invocation
        ? safely('watching the response stream', () =>
            observeResponseStream(stream, invocation.span, performance.now(), (status) => invocation.recordHttpStatus(status)),
          )
        : undefined;
      const result = await handler(event, responseStream, lambdaContext);
      const ended = watched ? await Promise.race([watched, untilDeadline(lambdaContext, config)]) : undefined;
      if (invocation && ended?.error !== undefined) invocation.recordStreamFailure(ended.error);
      return result;
    });
  };
  copyStreamingMarks(handler, traced);
  return traced;
}

/** The runtime waits for the stream too, but a stream nobody ends must not hold the span past the deadline. */
function untilDeadline(lambdaContext: LambdaContext, config: WrapperConfig): Promise<undefined> {
  const ms = Math.max(0, (remainingMs(lambdaContext) ?? 0) - config.deadlineMarginMs);
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
