import { context } from '@opentelemetry/api';
import { ModelCall } from '../genai/model-call.js';
import { safely } from '../telemetry/safe.js';
import type { Attributes } from '@opentelemetry/api';
import type { Prepared, StainlessHooks } from './hooks.js';
import { isSdkStream, wrapSdkStream } from './stream.js';

type Method = (this: unknown, params: unknown, options?: unknown) => unknown;
interface ApiPromiseLike {
  _thenUnwrap(transform: (data: unknown, props: unknown) => unknown): ApiPromiseLike;
  asResponse(): Promise<{ headers?: { get?: (n: string) => string | null } }>;
}
const isApiPromise = (v: unknown): v is ApiPromiseLike =>
  typeof v === 'object' && v !== null && typeof (v as ApiPromiseLike)._thenUnwrap === 'function' && typeof (v as ApiPromiseLike).asResponse === 'function';

export const TRACED = Symbol.for('lambda-llm-tracing.stainless-traced');
export const isTraced = (fn: unknown): boolean => typeof fn === 'function' && (fn as { [TRACED]?: boolean })[TRACED] === true;
export function markTraced<F extends object>(fn: F): F {
  Object.defineProperty(fn, TRACED, { value: true });
  return fn;
}

/** Replaces `holder[key]` (a resource's `create`) with its traced version, once. */
export function patchMethod<Op extends string>(holder: unknown, key: string, operation: Op, hooks: StainlessHooks<Op>, server: () => Attributes): void {
  const target = holder as Record<string, unknown> | undefined;
  const original = target?.[key];
  if (typeof original !== 'function' || isTraced(original)) return;
  target![key] = markTraced(traceMethod(operation, original as Method, hooks, server));
}

/**
 * The traced method: the model span starts before the SDK is called, and the SDK's own APIPromise comes back,
 * transformed through its `_thenUnwrap`, so `withResponse()`, `asResponse()`, `_request_id` and the helpers built
 * on `create` (`stream()`, `parse()`, `runTools()`) keep working. A plain `.then` would break them.
 */
function traceMethod<Op extends string>(operation: Op, original: Method, hooks: StainlessHooks<Op>, server: () => Attributes): Method {
  return function tracedCreate(this: unknown, params: unknown, requestOptions?: unknown): unknown {
    if (typeof params !== 'object' || params === null) return original.call(this, params, requestOptions);
    const p = params as Record<string, unknown>;
    const started = safely('starting a model span', () => {
      const prepared: Prepared = hooks.prepare?.(operation, p) ?? { params: p };
      return { call: new ModelCall(operation, p, hooks.settings, server()), prepared };
    });
    if (!started) return original.call(this, params, requestOptions);
    const { call, prepared } = started;
    let promise: unknown;
    try {
      promise = context.with(call.context, () => original.call(this, prepared.params, requestOptions));
    } catch (error) {
      // The SDK can refuse a call before any request (bad arguments): the span says so, the caller gets the error.
      call.end(undefined, error);
      throw error;
    }
    if (!isApiPromise(promise)) {
      // Not the SDK shape we know: hand it back untouched, with the span ended rather than left open.
      call.end();
      return promise;
    }
    observe(promise, call, hooks);
    const traced = promise._thenUnwrap((data: unknown) => unwrap(data, call, prepared));
    safely('watching asResponse()', () => endOnRawResponse(traced, call));
    return traced;
  };
}

/**
 * Failures (HTTP errors after retries, connection errors, timeouts, aborts) reject the response promise;
 * `asResponse()` observes that without reading the body, which the caller's own await will read.
 */
function observe(promise: ApiPromiseLike, call: ModelCall, hooks: StainlessHooks): void {
  const { header, attribute } = hooks.requestId;
  promise.asResponse().then(
    (response) => {
      const id = headerOf(response?.headers, header);
      if (id) call.late[attribute] = id;
    },
    (error: unknown) => {
      // An HTTP error carries the response's headers: a web `Headers` from v5 on, a plain record in v4.
      const id = safely("reading a failed call's request id", () => headerOf((error as { headers?: unknown } | null)?.headers, header));
      if (id) call.late[attribute] = id;
      call.end(undefined, error);
    },
  );
}

/**
 * A caller who takes the raw response with `asResponse()` and never the parsed body reads the body itself: the
 * span ends when the response arrives (status, request id), instead of staying open until the invocation ends.
 * `withResponse()` and a plain `await` start the SDK's parse (its `parsedPromise`), which then ends the span.
 */
function endOnRawResponse(promise: ApiPromiseLike, call: ModelCall): void {
  const original = promise.asResponse;
  const target = promise as ApiPromiseLike & { parsedPromise?: unknown };
  target.asResponse = function tracedAsResponse(this: unknown) {
    const raw = original.call(this);
    raw.then(
      () => target.parsedPromise === undefined && call.end(),
      () => {},
    );
    return raw;
  };
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  const value = typeof get === 'function' ? (get as (n: string) => unknown).call(headers, name) : (headers as Record<string, unknown>)[name];
  return typeof value === 'string' && value ? value : undefined;
}

function unwrap(data: unknown, call: ModelCall, prepared: Prepared): unknown {
  if (!isSdkStream(data)) {
    call.response(data);
    call.end();
    return data;
  }
  const hide = prepared.hide ?? (() => false);
  const wrapped = safely('wrapping a model stream', () =>
    wrapSdkStream(data, {
      item: (event) =>
        safely('reading a stream event', () => {
          call.chunk(event, !hide(event));
          prepared.tidy?.(event);
        }),
      hide,
      end: (outcome, error) => call.end(outcome, error),
    }),
  );
  if (wrapped) return wrapped;
  call.end();
  return data;
}
