/**
 * The meeting point of the in-process Lambda extension (loaded with `--import` before the runtime) and the
 * wrapper (in the handler's bundle): two separately bundled copies of our code in one process, so the channel
 * lives on `globalThis`. It has no dependencies, to keep the extension file small.
 */
export interface ExtensionChannel {
  /** Set once the extension has registered with the Extensions API. */
  registered: boolean;
  /** Set when a wrapper is created (at module load, before the first invocation): without one, no signal comes. */
  wrapperLoaded: boolean;
  /** Export promises by request id, created by whichever side comes first. */
  exports: Map<string, Deferred>;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

const KEY = Symbol.for('lambda-llm-tracing.extension-channel');

export function channel(): ExtensionChannel {
  const g = globalThis as { [KEY]?: ExtensionChannel };
  return (g[KEY] ??= { registered: false, wrapperLoaded: false, exports: new Map() });
}

function deferred(requestId: string): Deferred {
  const exports = channel().exports;
  let d = exports.get(requestId);
  if (!d) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    d = { promise, resolve };
    exports.set(requestId, d);
  }
  return d;
}

/** The wrapper: this invocation's export is under way (or done) and settles with `work`. */
export function exportStarted(requestId: string, work: Promise<unknown>): void {
  const d = deferred(requestId);
  void work.then(d.resolve, d.resolve);
}

/**
 * The extension: waits until the invocation's export has settled, and never past `deadlineMs` (the function's
 * deadline); not at all when the handler module created no wrapper, since nothing would signal then.
 */
export async function exportSettled(requestId: string, deadlineMs: number): Promise<void> {
  if (!channel().wrapperLoaded) return;
  const d = deferred(requestId);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wait = Math.max(0, deadlineMs - Date.now());
  await Promise.race([d.promise, new Promise<void>((r) => (timer = setTimeout(r, wait)))]);
  clearTimeout(timer);
  channel().exports.delete(requestId);
}
