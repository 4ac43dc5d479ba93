import { SpanStatusCode, type Exception, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from './semconv.js';

/**
 * Error types that instrumented code already decided (a model call's `rate_limit`, `timeout`): the same error,
 * rethrown through the handler, a `traceStep` or a `traceRecord`, is typed alike on every span that records it.
 * Keyed by the error object, so this room knows no provider, and holds nothing once the error is gone.
 */
const known = new WeakMap<object, string>();

/** Remembers the `error.type` an instrumentation gave `error`, for every later span that records it. */
export function rememberErrorType(error: unknown, type: string): void {
  if (typeof error === 'object' && error !== null) known.set(error, type);
}

/**
 * A thrown value's `error.type`: the type an instrumentation gave it; else its own `name` when not the generic
 * `Error`; else a `code` (`ETIMEDOUT`); else its class name when a minifier has not renamed it; else `_OTHER`.
 */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '_OTHER';
  const remembered = known.get(error);
  if (remembered) return remembered;
  try {
    const e = error as { name?: unknown; code?: unknown };
    if (typeof e.name === 'string' && e.name !== 'Error' && isRealName(e.name)) return e.name;
    if (typeof e.code === 'string' && /^[A-Z][A-Z0-9_]{2,63}$/.test(e.code)) return e.code;
    const ctor = safeConstructorName(error);
    return ctor && ctor !== 'Error' && ctor !== 'Object' && isRealName(ctor) ? ctor : '_OTHER';
  } catch {
    // A Proxy or throwing getters: nothing about it can be read.
    return '_OTHER';
  }
}

/**
 * Whether a name was written by a person rather than a minifier. Minifiers (esbuild, terser, swc) rename classes
 * to one to three characters (`t`, `lt`, `$e`, `Ae2`) and bundlers suffix clashes with digits (`APIError2`);
 * a real class name is longer, starts with a letter and has a lower-case letter.
 */
function isRealName(name: string): boolean {
  return name.length >= 4 && name.length <= 64 && /^[A-Za-z][A-Za-z0-9_]*[A-Za-z]$/.test(name) && /[a-z]/.test(name);
}

function safeConstructorName(error: object): string | undefined {
  try {
    const name: unknown = (error as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

const UNPRINTABLE = 'unprintable thrown value';

/**
 * Records a thrown value as an exception event and ERROR status; accepts anything a handler may throw. Never
 * throws: a caller that ends the span after this would otherwise lose the span with the error.
 */
export function recordError(span: Span, error: unknown, type: string = errorTypeOf(error)): void {
  span.setAttribute(ATTR_ERROR_TYPE, type);
  try {
    const isError = error instanceof Error;
    const message = isError ? error.message : safeString(error);
    const exception: Exception = isError ? error : typeof error === 'string' ? error : { name: type, message };
    // The SDK reads `code`, `name`, `message` and `stack` here, any of which may be a throwing getter.
    span.recordException(exception);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  } catch {
    span.recordException({ name: type, message: UNPRINTABLE });
    span.setStatus({ code: SpanStatusCode.ERROR, message: UNPRINTABLE });
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return UNPRINTABLE;
  }
}
