import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { errorTypeOf, recordError, rememberErrorType } from '../../src/telemetry/errors.js';
import { NASTY_THROWABLES } from '../support/nasty.js';

/** A class as a minifier leaves it: the name is whatever the bundler chose. */
function classNamed(name: string): new () => Error {
  return { [name]: class extends Error {} }[name]!;
}

describe('errorTypeOf', () => {
  it('is _OTHER for thrown values that are not objects', () => {
    for (const value of ['boom', 42, null, undefined, Symbol('s'), true]) expect(errorTypeOf(value)).toBe('_OTHER');
  });

  it("takes an error's own name when it is not the generic Error", () => {
    expect(errorTypeOf(new TypeError('x'))).toBe('TypeError');
    expect(errorTypeOf(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toBe('ThrottlingException');
    expect(errorTypeOf({ name: 'AbortError' })).toBe('AbortError');
  });

  it('takes an upper-case code next (ETIMEDOUT), not a lower-case, short or overlong one', () => {
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 'ERR_HTTP2_STREAM_ERROR' }))).toBe('ERR_HTTP2_STREAM_ERROR');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 'econnreset' }))).toBe('_OTHER');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 'EX' }))).toBe('_OTHER');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: `E${'X'.repeat(64)}` }))).toBe('_OTHER');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: 42 }))).toBe('_OTHER');
  });

  it('takes the class name a person wrote', () => {
    expect(errorTypeOf(new (classNamed('RateLimitError'))())).toBe('RateLimitError');
    expect(errorTypeOf(new (classNamed('Http2Error'))())).toBe('Http2Error');
  });

  it('refuses names a minifier made: one to three characters, digit suffixes, no lower-case letter', () => {
    for (const name of ['t', 'lt', '$e', 'Ae2', 'APIError2', 'ABCD', '_abc', 'Abc$']) {
      expect(errorTypeOf(new (classNamed(name))()), `class ${name}`).toBe('_OTHER');
      expect(errorTypeOf({ name }), `name ${name}`).toBe('_OTHER');
    }
  });

  it('is _OTHER for a plain Error, a plain object and a null-prototype object', () => {
    expect(errorTypeOf(new Error('x'))).toBe('_OTHER');
    expect(errorTypeOf({ message: 'x' })).toBe('_OTHER');
    expect(errorTypeOf(Object.create(null))).toBe('_OTHER');
  });

  it('prefers the type an instrumentation remembered for this very error object', () => {
    const error = Object.assign(new Error('429'), { code: 'ETIMEDOUT' });
    rememberErrorType(error, 'rate_limit');
    expect(errorTypeOf(error)).toBe('rate_limit');
    expect(errorTypeOf(Object.assign(new Error('429'), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    rememberErrorType('not an object', 'ignored');
    expect(errorTypeOf('not an object')).toBe('_OTHER');
  });

  it.each(NASTY_THROWABLES)('never throws, even for %s', (_name, make) => {
    expect(() => errorTypeOf(make())).not.toThrow();
  });
});

describe('recordError', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('unit');
  const recorded = async (error: unknown, type?: string) => {
    exporter.reset();
    const span = tracer.startSpan('s');
    recordError(span, error, type);
    span.end();
    await provider.forceFlush();
    return exporter.getFinishedSpans()[0]!;
  };

  it('records an Error as an exception event, error.type and ERROR status with its message', async () => {
    const span = await recorded(new TypeError('bad input'));
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad input' });
    expect(span.events.map((e) => [e.name, e.attributes?.['exception.type'], e.attributes?.['exception.message']])).toEqual([
      ['exception', 'TypeError', 'bad input'],
    ]);
  });

  it('records a thrown string and a thrown object by their printed form; the given type wins', async () => {
    expect((await recorded('just text')).status.message).toBe('just text');
    const span = await recorded({ reason: 1 }, 'rate_limit');
    expect(span.attributes['error.type']).toBe('rate_limit');
    expect(span.events[0]!.attributes).toMatchObject({ 'exception.type': 'rate_limit', 'exception.message': '[object Object]' });
  });

  it.each(NASTY_THROWABLES)('never throws, and still marks the span as an error, for %s', async (_name, make) => {
    const span = await recorded(make());
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('_OTHER');
    expect(span.events).toHaveLength(1);
  });
});
