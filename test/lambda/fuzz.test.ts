import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownTracing, withLlmTracing } from '../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';
import { TRACEPARENT, lambdaContext, lambdaEnv } from '../support/lambda.js';

let receiver: OtlpReceiver;
let handler: (event: unknown, ctx: ReturnType<typeof lambdaContext>) => Promise<unknown>;
const RESULT = { sentinel: true };
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  lambdaEnv(receiver.url);
  handler = withLlmTracing(async () => RESULT);
});
afterAll(async () => {
  await shutdownTracing(500);
  await receiver.close();
});

// Header-ish values: valid, near-valid and hostile trace headers, and other junk.
const headerValue = fc.oneof(
  fc.constant(TRACEPARENT),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef-'), maxLength: 60 }).map((h) => `00-${h}-01`),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);
const headers = fc.dictionary(fc.constantFrom('traceparent', 'TRACEPARENT', 'tracestate', 'baggage', 'host', 'x-any', '__proto__', 'constructor'), headerValue);
const record = fc.record(
  {
    eventSource: fc.constantFrom('aws:sqs', 'aws:sns', 'aws:s3', 'aws:kinesis', 'bogus', 7 as unknown as string),
    EventSource: fc.constantFrom('aws:sns', undefined),
    eventSourceARN: fc.oneof(fc.string(), fc.constant('arn:aws:sqs:eu-west-1:1:q')),
    messageAttributes: fc.oneof(
      fc.dictionary(fc.constantFrom('traceparent', 'tracestate'), fc.record({ stringValue: headerValue, dataType: fc.string() })),
      fc.anything(),
    ),
    Sns: fc.oneof(fc.record({ TopicArn: fc.string(), MessageAttributes: fc.anything() }), fc.anything()),
    body: fc.oneof(fc.string(), fc.json(), fc.anything()),
  },
  { requiredKeys: [] },
);
const event = fc.oneof(
  fc.anything({ maxDepth: 4, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withTypedArray: true }),
  fc.record(
    {
      version: fc.constantFrom('2.0', '1.0', 2),
      routeKey: fc.oneof(fc.string(), fc.constant('GET /x')),
      headers,
      requestContext: fc.oneof(
        fc.record({ http: fc.record({ method: fc.oneof(fc.string(), fc.anything()), path: fc.anything() }, { requiredKeys: [] }) }),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      httpMethod: fc.oneof(fc.string(), fc.anything()),
      headers,
      multiValueHeaders: fc.dictionary(fc.string(), fc.anything()),
      requestContext: fc.anything(),
      resource: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  fc.record({ Records: fc.oneof(fc.array(record, { maxLength: 5 }), fc.anything()) }),
  fc.record(
    {
      'detail-type': fc.string(),
      source: fc.string(),
      detail: fc.oneof(fc.record({ _otel: fc.anything(), traceparent: headerValue }, { requiredKeys: [] }), fc.anything()),
    },
    { requiredKeys: [] },
  ),
);

describe('property: any event', () => {
  it('never throws out of the wrapper and always yields exactly one well-formed invocation span', async () => {
    await fc.assert(
      fc.asyncProperty(event, fc.option(fc.string(), { nil: undefined }), async (e, xray) => {
        const before = receiver.spans.length;
        const result = await handler(e, lambdaContext(xray === undefined ? {} : { xRayTraceId: xray }));
        expect(result).toBe(RESULT);
        const added = receiver.spans.slice(before);
        expect(added).toHaveLength(1);
        const [span] = added;
        expect(span!.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(span!.traceId).not.toBe('0'.repeat(32));
        expect(span!.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(span!.name.length).toBeGreaterThan(0);
        expect(['SERVER', 'CONSUMER']).toContain(span!.kind);
        expect(typeof span!.attributes['faas.trigger']).toBe('string');
        for (const link of span!.links) expect(link.traceId).toMatch(/^[0-9a-f]{32}$/);
      }),
      { numRuns: 400 },
    );
  });

  it('a throwing handler keeps its error identity for any event', async () => {
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        const error = new Error('user error');
        const failing = withLlmTracing(async () => {
          throw error;
        });
        await expect(failing(e, lambdaContext())).rejects.toBe(error);
      }),
      { numRuns: 100 },
    );
  });
});
