import { context, trace, type Attributes, type Span, type SpanKind } from '@opentelemetry/api';
import { recordError } from './errors.js';
import { getTracer } from './provider.js';
import { safely } from './safe.js';

export interface StepOptions {
  attributes?: Attributes;
  kind?: SpanKind;
}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> => typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

/** Runs `fn` inside `span` and ends the span when `fn` settles, recording a thrown or rejected error. */
export function runInSpan<T>(span: Span, fn: (span: Span) => T): T {
  // Recording must not replace the caller's error: a Proxy or an Error with throwing getters can defeat it.
  const fail = (error: unknown) => {
    safely('recording a step error', () => recordError(span, error));
    safely('ending a step span', () => span.end());
    throw error;
  };
  let returned: T;
  try {
    returned = context.with(trace.setSpan(context.active(), span), fn, undefined, span);
  } catch (error) {
    return fail(error);
  }
  if (!isPromiseLike(returned)) {
    span.end();
    return returned;
  }
  return Promise.resolve(returned).then((value) => {
    span.end();
    return value;
  }, fail) as T;
}

/**
 * A span for one non-LLM step of a request (retrieval, re-ranking, a tool call): named, with attributes, the
 * step's own return value passed through (a promise stays a promise), and its error recorded and rethrown as is.
 */
export function traceStep<T>(name: string, fn: (span: Span) => T, options: StepOptions = {}): T {
  const span = getTracer().startSpan(name, { attributes: options.attributes, kind: options.kind });
  return runInSpan(span, fn);
}
