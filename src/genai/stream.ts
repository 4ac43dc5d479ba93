/** How a stream ended: exhausted, stopped by the caller, failed, or never consumed before its invocation ended. */
export type StreamOutcome = 'completed' | 'aborted' | 'error' | 'abandoned';

export interface StreamObserver {
  /** Every event, before the caller sees it. */
  item(item: unknown): void;
  /** Events the caller must not see (OpenAI's usage chunk, asked for on the caller's behalf). */
  hide(item: unknown): boolean;
  /** Called exactly once. */
  end(outcome: StreamOutcome, error?: unknown): void;
}

export interface ObservedStream {
  /** The caller's iteration: the source's events, one at a time, never read ahead. */
  iterate: () => AsyncGenerator<unknown>;
  /** Whether iteration has begun: until then an abort or the invocation's end settles the outcome. */
  readonly iterating: boolean;
  settle(outcome: StreamOutcome, error?: unknown): void;
}

/**
 * Passes a source's events through an observer and reports the end exactly once: exhausted (`completed`, or
 * `aborted` when `aborted()` says the transport was cut), a `break`/`return()` (the `finally`, which also runs the
 * source's own `return()` so the connection is released), or an error (rethrown as is). `complete` may refuse the
 * `completed` outcome for a stream that ended without its final event.
 */
export function observeStream(
  source: AsyncIterable<unknown>,
  observer: StreamObserver,
  aborted: () => boolean = () => false,
  complete: () => boolean = () => true,
): ObservedStream {
  let settled = false;
  let iterating = false;
  const settle = (outcome: StreamOutcome, error?: unknown): void => {
    if (settled) return;
    settled = true;
    observer.end(outcome, error);
  };
  async function* iterate(): AsyncGenerator<unknown> {
    iterating = true;
    try {
      for await (const item of source) {
        observer.item(item);
        if (!observer.hide(item)) yield item;
      }
      settle(aborted() ? 'aborted' : complete() ? 'completed' : 'error');
    } catch (error) {
      settle('error', error);
      throw error;
    } finally {
      settle('aborted');
    }
  }
  return {
    iterate,
    get iterating() {
      return iterating;
    },
    settle,
  };
}
