/** The parts of the SDK's `Stream` we rely on; identical from openai v4 to v7. */
export interface SdkStream {
  controller?: AbortController;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}

export function isSdkStream(value: unknown): value is SdkStream {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function' &&
    typeof (value as { tee?: unknown }).tee === 'function'
  );
}

export type StreamOutcome = 'completed' | 'aborted' | 'error' | 'abandoned';

export interface StreamHooks {
  chunk(item: unknown): void;
  /** Items the caller should not see (the usage chunk we asked for on their behalf). */
  hide(item: unknown): boolean;
  end(outcome: StreamOutcome, error?: unknown): void;
}

/**
 * A stream of the SDK's own class (taken from the instance, since the ESM and CJS builds differ) that passes every
 * chunk through the hooks and reports its end exactly once: exhausted, `break`/`return()`, `controller.abort()`,
 * a mid-stream error, or never iterated (the caller's invocation ends it as abandoned). It shares the original's
 * controller, so `controller`, `tee()` and `toReadableStream()` behave as before.
 */
export function wrapStream<S extends SdkStream>(stream: S, hooks: StreamHooks): { stream: S; abandon: () => void } {
  let settled = false;
  const settle = (outcome: StreamOutcome, error?: unknown) => {
    if (settled) return;
    settled = true;
    hooks.end(outcome, error);
  };
  const controller = stream.controller;
  let iterating = false;
  async function* iterate() {
    iterating = true;
    try {
      for await (const item of stream as AsyncIterable<unknown>) {
        hooks.chunk(item);
        if (!hooks.hide(item)) yield item;
      }
      settle(controller?.signal.aborted ? 'aborted' : 'completed');
    } catch (error) {
      settle('error', error);
      throw error;
    } finally {
      settle('aborted');
    }
  }
  // Only for a stream nobody iterates: while iterating, the SDK aborts its controller on the way out of an error
  // too, before the error reaches us, so the loop above decides.
  controller?.signal.addEventListener('abort', () => iterating || settle('aborted'), { once: true });
  const StreamClass = stream.constructor as new (iterator: () => AsyncIterator<unknown>, controller?: AbortController) => S;
  return { stream: new StreamClass(iterate, controller), abandon: () => settle('abandoned') };
}
