import type { AnyHandler, Callback, CallbackHandler, LambdaContext } from '../types.js';
import { isThenable } from '../util.js';

/**
 * Calls the user's handler and returns its outcome as a promise. A three-parameter (callback) handler gets a
 * callback, because nodejs24.x refuses such handlers itself: wrapped, they keep working there. A callback handler
 * that returns a promise is settled by the promise, as the Node runtime does.
 */
export function invokeHandler<E, R, C extends LambdaContext>(handler: AnyHandler<E, R, C>, event: E, context: C): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    if (handler.length < 3) {
      resolve((handler as (e: E, c: C) => R | Promise<R>)(event, context));
      return;
    }
    let settled = false;
    const callback: Callback<R> = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result as R);
    };
    const returned = (handler as CallbackHandler<E, R, C>)(event, context, callback);
    if (isThenable(returned)) {
      settled = true;
      resolve(returned as Promise<R>);
    }
  });
}
