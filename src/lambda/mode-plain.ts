import type { AnyHandler, LambdaContext, LlmTracingOptions, TracedHandler } from '../types.js';
import type { WrapperConfig } from './config.js';
import { invokeHandler } from './handler.js';
import { runInvocation } from './run.js';

/** The plain execution mode: an async or callback handler, answered with its result. */
export function tracePlainHandler<E, R, C extends LambdaContext>(
  handler: AnyHandler<E, R, C>,
  options: LlmTracingOptions,
  config: WrapperConfig,
): TracedHandler<E, R, C> {
  return async function tracedHandler(event: E, lambdaContext: C): Promise<R> {
    return runInvocation(event, lambdaContext, options, config, () => invokeHandler(handler, event, lambdaContext));
  };
}
