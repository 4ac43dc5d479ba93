import { SpanStatusCode, type Exception, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from './semconv.js';

/** A thrown value's type for `error.type`: its class name, or the JavaScript type for non-objects. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) return error.constructor?.name || error.name || 'Error';
  if (error === null) return 'null';
  return typeof error === 'object' ? (error.constructor?.name ?? 'Object') : typeof error;
}

/** Records a thrown value as an exception event and ERROR status; accepts anything a handler may throw. */
export function recordError(span: Span, error: unknown, type: string = errorTypeOf(error)): void {
  const exception: Exception =
    error instanceof Error ? error : typeof error === 'string' ? error : { name: type, message: safeString(error) };
  span.recordException(exception);
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : safeString(error) });
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'unprintable thrown value';
  }
}
