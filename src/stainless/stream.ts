import { observeStream, type StreamObserver } from '../genai/stream.js';

/** The parts of a Stainless SDK's `Stream` we rely on; identical from openai v4 to v7 and in @anthropic-ai/sdk. */
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

/**
 * A stream of the SDK's own class (taken from the instance, since the ESM and CJS builds differ) that passes every
 * event through the observer and reports its end exactly once: exhausted, `break`/`return()`,
 * `controller.abort()`, a mid-stream error, or never iterated (the caller's invocation ends it as abandoned). It
 * shares the original's controller, so `controller`, `tee()` and `toReadableStream()` behave as before.
 */
export function wrapSdkStream<S extends SdkStream>(stream: S, observer: StreamObserver): S {
  const controller = stream.controller;
  const observed = observeStream(stream as AsyncIterable<unknown>, observer, () => controller?.signal.aborted === true);
  // Only for a stream nobody iterates: while iterating, the SDK aborts its controller on the way out of an error
  // too, before the error reaches us, so the iteration decides.
  controller?.signal.addEventListener('abort', () => observed.iterating || observed.settle('aborted'), { once: true });
  const StreamClass = stream.constructor as new (iterator: () => AsyncIterator<unknown>, controller?: AbortController) => S;
  return new StreamClass(observed.iterate, controller);
}
