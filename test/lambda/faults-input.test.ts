/**
 * Bad input never throws out of our code: over 10,000 generated events, header sets and contexts (property-based),
 * and hand-written hostile ones (huge headers, deep nesting, non-JSON and binary bodies, wrong types, throwing
 * getters, throwing Proxies, circular references). Most runs use a handler that does not wait for the export
 * (flush budget 0, long batch delay: spans still go through the real SDK and exporter); a subset flushes and
 * checks the exported span.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forceFlush, shutdownTracing, traceRecord, traceStep, withLlmTracing, type LambdaContext } from '../../src/index.js';
import { TRACEPARENT, lambdaContext, lambdaEnv } from '../support/lambda.js';
import { NASTY_CONTEXTS, NASTY_EVENTS, NASTY_THROWABLES } from '../support/nasty.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/receiver.js';

const RESULT = { sentinel: true };
const LIMIT = 16_384; // the default attribute value length limit
let receiver: OtlpReceiver;
let fast: (event: unknown, ctx: LambdaContext) => Promise<unknown>;
let flushing: (event: unknown, ctx: LambdaContext) => Promise<unknown>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // always_on: a generated event may carry a valid but unsampled traceparent, which the default parent-based
  // sampler rightly honours by recording nothing; this file is about hostile input, not sampling.
  lambdaEnv(receiver.url, { OTEL_BSP_SCHEDULE_DELAY: '3600000', OTEL_TRACES_SAMPLER: 'always_on' });
  fast = withLlmTracing(async () => RESULT, { flushBudgetMs: 0 });
  flushing = withLlmTracing(async () => RESULT, { flushBudgetMs: 5000 });
});
afterAll(async () => {
  await shutdownTracing(1000);
  await receiver.close();
});

// --- generators -------------------------------------------------------------------------------------------------
const junk = fc.anything({
  maxDepth: 3,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withBoxedValues: true,
});
/** Mostly the right shape, sometimes anything at all. */
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: junk });
const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const traceparentish = fc.oneof(
  { weight: 2, arbitrary: fc.constant(TRACEPARENT) },
  fc
    .tuple(
      fc.constantFrom('00', 'ff', '01', 'zz'),
      fc.oneof(hex(32), fc.constant('0'.repeat(32)), hex(31)),
      fc.oneof(hex(16), fc.constant('0'.repeat(16))),
      fc.constantFrom('00', '01', 'x'),
    )
    .map((p) => p.join('-')),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);
const headerName = fc.oneof(
  fc.constantFrom(
    'traceparent',
    'Traceparent',
    'TRACEPARENT',
    'tracestate',
    'baggage',
    'Baggage',
    'x-amzn-trace-id',
    'user-agent',
    'User-Agent',
    'host',
    'x-forwarded-for',
    'x-forwarded-proto',
    'x-forwarded-port',
    '__proto__',
    'constructor',
    'toString',
  ),
  fc.string({ maxLength: 20 }),
);
const headerValue = fc.oneof(
  { weight: 4, arbitrary: traceparentish },
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.array(traceparentish, { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
  fc.string({ minLength: 9000, maxLength: 9100 }),
);
const headerSet = fc.dictionary(headerName, headerValue, { maxKeys: 12 });
const multiValue = fc.dictionary(headerName, fc.oneof(fc.array(headerValue, { maxLength: 4 }), headerValue), { maxKeys: 6 });
const opt = { requiredKeys: [] as never[] };
const apiV1 = fc.record(
  {
    httpMethod: maybe(fc.constantFrom('GET', 'POST')),
    path: maybe(fc.string()),
    resource: maybe(fc.constantFrom('/x/{id}', '/')),
    headers: maybe(headerSet),
    multiValueHeaders: maybe(multiValue),
    queryStringParameters: maybe(fc.dictionary(fc.string(), fc.string())),
    requestContext: maybe(
      fc.record(
        {
          stage: maybe(fc.string()),
          identity: maybe(fc.record({ sourceIp: maybe(fc.string()), userAgent: maybe(fc.string()) }, opt)),
          elb: maybe(fc.record({ targetGroupArn: fc.string() })),
        },
        opt,
      ),
    ),
    body: maybe(fc.oneof(fc.string(), fc.json())),
    isBase64Encoded: maybe(fc.boolean()),
  },
  opt,
);
const apiV2 = fc.record(
  {
    version: maybe(fc.constantFrom('2.0', '1.0')),
    routeKey: maybe(fc.oneof(fc.constantFrom('$default', 'GET /x'), fc.string())),
    rawPath: maybe(fc.string()),
    rawQueryString: maybe(fc.string()),
    headers: maybe(headerSet),
    cookies: maybe(fc.array(fc.string())),
    requestContext: maybe(
      fc.record(
        {
          domainName: maybe(fc.string()),
          http: maybe(
            fc.record(
              {
                method: maybe(fc.string()),
                path: maybe(fc.string()),
                protocol: maybe(fc.string()),
                sourceIp: maybe(fc.string()),
                userAgent: maybe(fc.string()),
              },
              opt,
            ),
          ),
        },
        opt,
      ),
    ),
  },
  opt,
);
const messageAttributes = fc.dictionary(
  fc.constantFrom('traceparent', 'tracestate', 'baggage', 'other'),
  maybe(
    fc.record(
      { stringValue: maybe(traceparentish), dataType: maybe(fc.constantFrom('String', 'Binary')), Type: maybe(fc.string()), Value: maybe(traceparentish) },
      opt,
    ),
  ),
);
const snsEnvelope = fc
  .record(
    {
      Type: fc.constant('Notification'),
      TopicArn: fc.string(),
      Message: fc.string(),
      MessageAttributes: fc.dictionary(fc.constantFrom('traceparent', 'tracestate'), fc.record({ Type: fc.constant('String'), Value: traceparentish })),
    },
    opt,
  )
  .map((o) => JSON.stringify(o));
const record = fc.record(
  {
    eventSource: maybe(fc.constantFrom('aws:sqs', 'aws:s3', 'aws:dynamodb', 'aws:kinesis')),
    EventSource: maybe(fc.constant('aws:sns')),
    eventSourceARN: maybe(fc.constantFrom('arn:aws:sqs:eu-west-1:1:q', 'arn:x')),
    messageId: maybe(fc.string()),
    body: maybe(fc.oneof(fc.string(), snsEnvelope)),
    messageAttributes: maybe(messageAttributes),
    attributes: maybe(fc.record({ AWSTraceHeader: maybe(fc.string()) }, opt)),
    Sns: maybe(fc.record({ TopicArn: maybe(fc.string()), MessageAttributes: maybe(messageAttributes), Message: maybe(fc.string()) }, opt)),
  },
  opt,
);
const queue = fc.record({ Records: maybe(fc.array(maybe(record), { maxLength: 6 })) });
const eventBridge = fc.record(
  {
    'detail-type': maybe(fc.string()),
    source: maybe(fc.string()),
    detail: maybe(
      fc.record({ _otel: maybe(fc.dictionary(fc.constantFrom('traceparent', 'tracestate'), traceparentish)), traceparent: maybe(traceparentish) }, opt),
    ),
  },
  opt,
);
const event = fc.oneof(apiV1, apiV2, queue, eventBridge, junk);
const context = fc
  .record(
    {
      awsRequestId: maybe(fc.uuid()),
      functionName: maybe(fc.string()),
      invokedFunctionArn: maybe(fc.oneof(fc.constant('arn:aws:lambda:eu-west-1:123456789012:function:f'), fc.string())),
      xRayTraceId: maybe(fc.oneof(fc.constant('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'), fc.string())),
      remaining: maybe(fc.oneof(fc.integer({ min: -1000, max: 900_000 }), fc.constantFrom(NaN, Infinity))),
    },
    opt,
  )
  .map(({ remaining, ...c }) => ({ ...c, getRemainingTimeInMillis: () => remaining }) as unknown as LambdaContext);

// --- checks -----------------------------------------------------------------------------------------------------
function expectWellFormed(span: ReceivedSpan): void {
  expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(span.traceId).not.toBe('0'.repeat(32));
  expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
  expect(span.name.length).toBeGreaterThan(0);
  expect(Object.keys(span.attributes).length).toBeLessThanOrEqual(128);
  expect(span.links.length).toBeLessThanOrEqual(128);
  for (const value of Object.values(span.attributes)) {
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') expect(v.length).toBeLessThanOrEqual(LIMIT);
  }
  for (const link of span.links) expect(link.traceId).toMatch(/^[0-9a-f]{32}$/);
}

/** Runs the flushing handler and returns the one invocation span it exported. */
async function exportedSpanOf(e: unknown): Promise<ReceivedSpan> {
  // The fast runs may have filled the batch queue (the SDK then drops new spans): drain it first.
  await forceFlush(5000);
  const ctx = lambdaContext();
  await expect(flushing(e, ctx)).resolves.toBe(RESULT);
  const mine = receiver.spans.filter((s) => s.attributes['faas.invocation.id'] === ctx.awsRequestId);
  expect(mine).toHaveLength(1);
  return mine[0]!;
}

describe('property-based (10,500 generated inputs)', () => {
  it('6,000 events and contexts: the result comes back as the same object, nothing thrown', async () => {
    await fc.assert(
      fc.asyncProperty(event, context, async (e, ctx) => {
        expect(await fast(e, ctx)).toBe(RESULT);
      }),
      { numRuns: 6000 },
    );
  }, 120_000);

  it('4,000 HTTP header sets (API Gateway REST and HTTP API, ALB, multi-value): nothing thrown', async () => {
    const http = fc.oneof(
      fc.record({
        version: fc.constant('2.0'),
        routeKey: fc.constant('GET /x'),
        rawPath: fc.constant('/x'),
        requestContext: fc.constant({ http: { method: 'GET', path: '/x' } }),
        headers: headerSet,
      }),
      fc.record({
        httpMethod: fc.constant('POST'),
        resource: fc.constant('/x'),
        path: fc.constant('/x'),
        requestContext: fc.constant({ stage: 'p' }),
        headers: headerSet,
        multiValueHeaders: multiValue,
      }),
      fc.record({
        httpMethod: fc.constant('GET'),
        path: fc.constant('/'),
        requestContext: fc.constant({ elb: { targetGroupArn: 'arn:tg' } }),
        multiValueHeaders: multiValue,
      }),
    );
    await fc.assert(
      fc.asyncProperty(http, async (e) => {
        expect(await fast(e, lambdaContext())).toBe(RESULT);
      }),
      { numRuns: 4000 },
    );
  }, 120_000);

  it('500 thrown values of any kind: rejected as the very same value', async () => {
    await fc.assert(
      fc.asyncProperty(event, junk, async (e, thrown) => {
        const failing = withLlmTracing(
          async () => {
            throw thrown;
          },
          { flushBudgetMs: 0 },
        );
        await expect(failing(e, lambdaContext())).rejects.toBe(thrown);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('300 events with the export awaited: exactly one well-formed invocation span each, attributes within the limit', async () => {
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        expectWellFormed(await exportedSpanOf(e));
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe('hand-written hostile events', () => {
  const events = NASTY_EVENTS.map(([name, make]) => [name, make()] as const);

  it.each(events)('%s: same result, one well-formed exported span', async (_name, e) => {
    expectWellFormed(await exportedSpanOf(e));
  });

  it.each(events)('%s: same result with every hostile context too', async (_name, e) => {
    for (const [, makeCtx] of NASTY_CONTEXTS) expect(await fast(e, makeCtx() as LambdaContext)).toBe(RESULT);
  });

  it.each(events)('%s as a queue record: traceRecord returns what its function returns', async (_name, e) => {
    const inside = withLlmTracing(async () => traceRecord(e, () => RESULT), { flushBudgetMs: 0 });
    expect(await inside(sqsEvent(e), lambdaContext())).toBe(RESULT);
  });
});

const sqsEvent = (r: unknown) => ({ Records: [r] });

describe('hand-written hostile contexts', () => {
  it.each(NASTY_CONTEXTS)('%s: same result, flushed or not', async (_name, makeCtx) => {
    const e = { version: '2.0', routeKey: 'GET /x', headers: { traceparent: TRACEPARENT }, requestContext: { http: { method: 'GET' } } };
    expect(await fast(e, makeCtx() as LambdaContext)).toBe(RESULT);
    expect(await flushing(e, makeCtx() as LambdaContext)).toBe(RESULT);
  });
});

describe('thrown values our telemetry cannot inspect come back as they were', () => {
  it.each(NASTY_THROWABLES)('%s, thrown by the handler: rethrown, and the invocation span still exported as an error', async (_name, make) => {
    const thrown = make();
    const failing = withLlmTracing(
      async () => {
        throw thrown;
      },
      { flushBudgetMs: 5000 },
    );
    await forceFlush(5000);
    const ctx = lambdaContext();
    await expect(failing({}, ctx)).rejects.toBe(thrown);
    const mine = receiver.spans.filter((s) => s.attributes['faas.invocation.id'] === ctx.awsRequestId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.status.code).toBe('ERROR');
    expect(mine[0]!.attributes['error.type']).toBe('_OTHER');
  });

  it.each(NASTY_THROWABLES)('%s, thrown inside traceStep (async and sync)', async (_name, make) => {
    const thrown = make();
    const handler = withLlmTracing(
      async () =>
        traceStep('step', async () => {
          throw thrown;
        }),
      { flushBudgetMs: 0 },
    );
    await expect(handler({}, lambdaContext())).rejects.toBe(thrown);
    let caught: unknown = 'nothing';
    try {
      traceStep('sync step', () => {
        throw thrown;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(thrown);
  });

  it('a result that throws on every read (but `then`) comes back as the same object', async () => {
    const hostile = NASTY_THROWABLES[0]![1]();
    const handler = withLlmTracing(async () => hostile, { flushBudgetMs: 0 });
    const httpEvent = { version: '2.0', routeKey: 'GET /x', headers: {}, requestContext: { http: { method: 'GET' } } };
    expect(await handler(httpEvent, lambdaContext())).toBe(hostile);
  });
});
