import { SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shutdownTracing, traceStep, withLlmTracing } from '../../src/index.js';
import { byName, spanTree, startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';
import { TRACEPARENT, TRACE_ID, PARENT_ID, lambdaContext, lambdaEnv } from '../support/lambda.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  lambdaEnv(receiver.url);
});
afterEach(async () => {
  receiver.clear();
});
afterAll(async () => {
  await shutdownTracing(500);
  await receiver.close();
});

// A module-scope helper, like a client created outside the handler: its spans must still find their parent.
const moduleScopeStep = () => traceStep('retrieve', async () => 'docs');

describe('withLlmTracing', () => {
  it('records one SERVER span per invocation, cold only the first time, and flushes it before returning', async () => {
    const handler = withLlmTracing(async (event: { n: number }) => ({ statusCode: 200, body: String(event.n) }));
    const httpEvent = (n: number) => ({
      version: '2.0',
      routeKey: 'POST /items/{id}',
      rawPath: '/items/7',
      headers: { traceparent: TRACEPARENT, host: 'api.example.com', 'user-agent': 'curl/8' },
      requestContext: { domainName: 'api.example.com', http: { method: 'POST', path: '/items/7', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9' } },
      n,
    });
    await handler(httpEvent(1), lambdaContext());
    // No waiting: the wrapper flushed before it resolved.
    expect(receiver.spans).toHaveLength(1);
    await handler(httpEvent(2), lambdaContext());
    expect(receiver.spans).toHaveLength(2);
    const [first, second] = receiver.spans;
    expect(first!.name).toBe('POST /items/{id}');
    expect(first!.kind).toBe('SERVER');
    expect(first!.traceId).toBe(TRACE_ID);
    expect(first!.parentSpanId).toBe(PARENT_ID);
    expect(first!.attributes).toMatchObject({
      'faas.trigger': 'http',
      'faas.coldstart': true,
      'http.request.method': 'POST',
      'http.route': '/items/{id}',
      'url.path': '/items/7',
      'server.address': 'api.example.com',
      'client.address': '203.0.113.9',
      'user_agent.original': 'curl/8',
      'http.response.status_code': 200,
      'cloud.resource_id': 'arn:aws:lambda:eu-west-1:123456789012:function:test-fn',
      'cloud.account.id': '123456789012',
    });
    expect(first!.attributes['faas.invocation.id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(first!.attributes['faas.invocation_id']).toBe(first!.attributes['faas.invocation.id']);
    expect(second!.attributes['faas.coldstart']).toBe(false);
    expect(first!.resource).toMatchObject({
      'service.name': 'test-fn',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': 'eu-west-1',
      'faas.name': 'test-fn',
      'faas.version': '$LATEST',
      'faas.instance': '2026/11/24/[$LATEST]abcdef',
      'faas.max_memory': 512 * 1024 * 1024,
      'telemetry.sdk.language': 'nodejs',
    });
  });

  it('returns the very same result object and rethrows the very same error object', async () => {
    const result = { statusCode: 200, body: 'same' };
    const error = new TypeError('boom');
    const ok = withLlmTracing(async () => result);
    const bad = withLlmTracing(async () => {
      throw error;
    });
    expect(await ok({}, lambdaContext())).toBe(result);
    await expect(bad({}, lambdaContext())).rejects.toBe(error);
    const failed = receiver.spans.find((s) => s.status.code === 'ERROR')!;
    expect(failed.status.message).toBe('boom');
    expect(failed.attributes['error.type']).toBe('TypeError');
    const exception = failed.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes['exception.type']).toBe('TypeError');
    expect(exception.attributes['exception.message']).toBe('boom');
  });

  it('rethrows non-Error values untouched and records them', async () => {
    const thrown = { code: 42 };
    const handler = withLlmTracing(async () => {
      throw thrown;
    });
    await expect(handler({}, lambdaContext())).rejects.toBe(thrown);
    const strThrown = withLlmTracing(async () => {
      throw 'plain string';
    });
    await expect(strThrown({}, lambdaContext())).rejects.toBe('plain string');
    expect(receiver.spans.map((s) => s.status.code)).toEqual(['ERROR', 'ERROR']);
  });

  it('adapts callback-style handlers to a two-parameter async handler', async () => {
    const result = { ok: true };
    const handler = withLlmTracing((_event: unknown, _ctx, callback: (e?: unknown, r?: typeof result) => void) => {
      setTimeout(() => callback(null, result), 5);
    });
    expect(handler.length).toBe(2);
    expect(await handler({}, lambdaContext())).toBe(result);
    const failing = withLlmTracing((_e: unknown, _c, callback: (e?: unknown) => void) => callback(new Error('cb failed')));
    await expect(failing({}, lambdaContext())).rejects.toThrow('cb failed');
    expect(receiver.spans.map((s) => s.status.code)).toEqual(['UNSET', 'ERROR']);
  });

  it('marks a 5xx response as an error but leaves a 4xx alone', async () => {
    const handler = withLlmTracing(async (e: { code: number }) => ({ statusCode: e.code }));
    const rest = (code: number) => ({ httpMethod: 'GET', resource: '/r', path: '/r', headers: {}, requestContext: { resourcePath: '/r' }, code });
    await handler(rest(503), lambdaContext());
    await handler(rest(404), lambdaContext());
    const [s503, s404] = receiver.spans;
    expect(s503!.status.code).toBe('ERROR');
    expect(s503!.attributes['http.response.status_code']).toBe(503);
    expect(s404!.status.code).toBe('UNSET');
    expect(s404!.attributes['http.response.status_code']).toBe(404);
  });

  it('parents spans made anywhere in the handler, module-scope helpers included, on the invocation span', async () => {
    const handler = withLlmTracing(async () => {
      await new Promise((r) => setTimeout(r, 1));
      const docs = await moduleScopeStep();
      return traceStep('rerank', (span) => {
        span.setAttribute('llm.rerank.count', 3);
        return docs.length;
      });
    });
    expect(await handler({}, lambdaContext())).toBe(4);
    const invocation = byName(receiver.spans, 'test-fn');
    const retrieve = byName(receiver.spans, 'retrieve');
    const rerank = byName(receiver.spans, 'rerank');
    expect(retrieve.parentSpanId, spanTree(receiver.spans)).toBe(invocation.spanId);
    expect(rerank.parentSpanId).toBe(invocation.spanId);
    expect(rerank.attributes['llm.rerank.count']).toBe(3);
    expect(invocation.parentSpanId).toBeUndefined();
    // Nothing leaks out of the invocation's context.
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('records a failing step and rethrows its error', async () => {
    const error = new RangeError('no docs');
    const handler = withLlmTracing(async () => traceStep('retrieve', async () => Promise.reject(error)));
    await expect(handler({}, lambdaContext())).rejects.toBe(error);
    const step = byName(receiver.spans, 'retrieve');
    expect(step.status).toEqual({ code: 'ERROR', message: 'no docs' });
    expect(step.attributes['error.type']).toBe('RangeError');
  });

  it('keeps the handler outcome when hooks and the extractor throw', async () => {
    const handler = withLlmTracing(async () => 'fine', {
      requestHook: () => {
        throw new Error('request hook');
      },
      responseHook: () => {
        throw new Error('response hook');
      },
      extractContext: () => {
        throw new Error('extractor');
      },
    });
    expect(await handler({ headers: { traceparent: TRACEPARENT } }, lambdaContext())).toBe('fine');
    expect(receiver.spans).toHaveLength(1);
    // The extractor threw, so the built-in extraction applied.
    expect(receiver.spans[0]!.parentSpanId).toBe(PARENT_ID);
  });

  it('lets hooks add attributes', async () => {
    const handler = withLlmTracing(async () => 'x', {
      requestHook: (span) => span.setAttribute('app.tenant', 'acme'),
      responseHook: (span, outcome) => span.setAttribute('app.result', String(outcome.result)),
    });
    await handler({}, lambdaContext());
    expect(receiver.spans[0]!.attributes).toMatchObject({ 'app.tenant': 'acme', 'app.result': 'x' });
    expect(receiver.spans[0]!.status.code).toBe(SpanStatusCode[SpanStatusCode.UNSET]);
  });
});
