import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forceFlush, shutdownTracing, withLlmTracing } from '../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';
import { TRACE_ID, lambdaContext, lambdaEnv } from '../support/lambda.js';

let receiver: OtlpReceiver;
const baseEnv = { ...process.env };
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await shutdownTracing(500);
  process.env = { ...baseEnv };
  receiver.clear();
});
afterAll(() => receiver.close());

const invokeOnce = async (env: Record<string, string>, event: unknown = {}, options = {}) => {
  lambdaEnv(receiver.url, env);
  const handler = withLlmTracing(async () => 'r', options);
  expect(await handler(event, lambdaContext())).toBe('r');
};

describe('configuration from the standard variables', () => {
  it('exports http/protobuf by default and http/json when asked', async () => {
    await invokeOnce({});
    expect(receiver.requests.at(-1)!.contentType).toBe('application/x-protobuf');
    await shutdownTracing();
    await invokeOnce({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' });
    expect(receiver.requests.at(-1)!.contentType).toBe('application/json');
    expect(receiver.spans).toHaveLength(2);
  });

  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is, and the endpoint option wins over it', async () => {
    await invokeOnce({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl });
    expect(receiver.spans).toHaveLength(1);
    await shutdownTracing();
    await invokeOnce({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' }, {}, { endpoint: receiver.tracesUrl });
    expect(receiver.spans).toHaveLength(2);
  });

  it('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES shape the resource; the option wins', async () => {
    await invokeOnce({ OTEL_SERVICE_NAME: 'chat-api', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=ml' });
    expect(receiver.spans[0]!.resource).toMatchObject({
      'service.name': 'chat-api',
      'deployment.environment.name': 'prod',
      team: 'ml',
      'faas.name': 'test-fn',
    });
    await shutdownTracing();
    await invokeOnce({ OTEL_SERVICE_NAME: 'chat-api' }, {}, { serviceName: 'from-option' });
    expect(receiver.spans[1]!.resource['service.name']).toBe('from-option');
  });

  it('never reports unknown_service inside Lambda', async () => {
    await invokeOnce({});
    expect(receiver.spans[0]!.resource['service.name']).toBe('test-fn');
  });

  it('OTEL_TRACES_SAMPLER=always_off exports nothing; the handler still runs', async () => {
    await invokeOnce({ OTEL_TRACES_SAMPLER: 'always_off' });
    await forceFlush();
    expect(receiver.spans).toHaveLength(0);
  });

  it('traceidratio 0 drops roots, parentbased honours a sampled parent', async () => {
    const sampledParent = { headers: { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` } };
    await invokeOnce({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    await invokeOnce({}, sampledParent);
    await invokeOnce({}, { headers: { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-00` } });
    expect(receiver.spans.map((s) => s.traceId)).toEqual([TRACE_ID]);
  });

  it('OTEL_PROPAGATORS=none ignores incoming headers', async () => {
    await invokeOnce({ OTEL_PROPAGATORS: 'none' }, { headers: { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` } });
    expect(receiver.spans[0]!.parentSpanId).toBeUndefined();
  });

  it('OTEL_SDK_DISABLED=true makes the wrapper a pass-through with no provider at all', async () => {
    const result = { same: true };
    lambdaEnv(receiver.url, { OTEL_SDK_DISABLED: 'true' });
    const handler = withLlmTracing(async () => result);
    expect(await handler({}, lambdaContext())).toBe(result);
    const cb = withLlmTracing((_e: unknown, _c, callback: (e: unknown, r: string) => void) => callback(null, 'cb'));
    expect(await cb({}, lambdaContext())).toBe('cb');
    expect(await forceFlush()).toBe('skipped');
    // No global provider was registered: the API hands out no-op tracers.
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    expect(receiver.requests).toHaveLength(0);
  });

  it('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT cuts long attribute values', async () => {
    lambdaEnv(receiver.url, { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '16' });
    const handler = withLlmTracing(async () => 'r');
    await handler({ headers: { 'user-agent': 'x'.repeat(100) }, httpMethod: 'GET', requestContext: {} }, lambdaContext());
    expect(receiver.spans[0]!.attributes['user_agent.original']).toBe('x'.repeat(16));
  });

  it('reads the flush budget from LLM_TRACING_FLUSH_BUDGET_MS', async () => {
    lambdaEnv(receiver.url, { LLM_TRACING_FLUSH_BUDGET_MS: '0' });
    const handler = withLlmTracing(async () => 'r');
    await handler({}, lambdaContext());
    expect(receiver.spans).toHaveLength(0);
    await forceFlush();
    expect(receiver.spans).toHaveLength(1);
  });
});
