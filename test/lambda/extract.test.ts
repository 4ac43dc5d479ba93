import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shutdownTracing, withLlmTracing } from '../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/receiver.js';
import { PARENT_ID, TRACEPARENT, TRACE_ID, lambdaContext, lambdaEnv } from '../support/lambda.js';

let receiver: OtlpReceiver;
let handler: (event: unknown, ctx: ReturnType<typeof lambdaContext>) => Promise<string>;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // As in Lambda, the environment is in place before the handler module (and so the provider) is loaded.
  lambdaEnv(receiver.url);
  delete process.env._X_AMZN_TRACE_ID;
  handler = withLlmTracing(async () => 'ok');
});
afterEach(() => receiver.clear());
afterAll(async () => {
  await shutdownTracing(500);
  await receiver.close();
});

async function invoke(event: unknown, ctx = lambdaContext()): Promise<ReceivedSpan> {
  receiver.clear();
  expect(await handler(event, ctx)).toBe('ok');
  expect(receiver.spans).toHaveLength(1);
  return receiver.spans[0]!;
}

const OTHER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const tp = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;

// Event shapes as `sam local generate-event` produces them, cut to the fields that matter here.
const http = {
  restV1: (headers: Record<string, unknown>) => ({
    resource: '/items/{id}',
    path: '/items/7',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: {},
    requestContext: { resourcePath: '/items/{id}', httpMethod: 'GET', identity: { sourceIp: '198.51.100.1' }, protocol: 'HTTP/1.1' },
  }),
  httpApiV2: (headers: Record<string, unknown>) => ({
    version: '2.0',
    routeKey: 'GET /items/{id}',
    rawPath: '/items/7',
    headers,
    requestContext: {
      http: { method: 'GET', path: '/items/7', sourceIp: '198.51.100.1', protocol: 'HTTP/1.1' },
      domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
    },
  }),
  functionUrl: (headers: Record<string, unknown>) => ({
    version: '2.0',
    routeKey: '$default',
    rawPath: '/chat',
    headers,
    requestContext: { http: { method: 'POST', path: '/chat', sourceIp: '198.51.100.1' }, domainName: 'xyz.lambda-url.eu-west-1.on.aws' },
  }),
  alb: (multiValueHeaders: Record<string, unknown>) => ({
    httpMethod: 'GET',
    path: '/health',
    multiValueHeaders,
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/1' } },
  }),
};

describe('parent context from HTTP triggers', () => {
  const cases: [string, (h: Record<string, unknown>) => unknown, string, string | undefined][] = [
    ['REST API', http.restV1, 'GET /items/{id}', '/items/{id}'],
    ['HTTP API', http.httpApiV2, 'GET /items/{id}', '/items/{id}'],
    ['Function URL', http.functionUrl, 'POST', undefined],
  ];
  for (const [label, make, name, route] of cases) {
    it(`${label}: takes traceparent (any header case) as parent`, async () => {
      const span = await invoke(make({ TraceParent: TRACEPARENT, tracestate: 'vendor=1' }));
      expect(span.name).toBe(name);
      expect(span.kind).toBe('SERVER');
      expect(span.traceId).toBe(TRACE_ID);
      expect(span.parentSpanId).toBe(PARENT_ID);
      expect(span.traceState).toBe('vendor=1');
      expect(span.attributes['faas.trigger']).toBe('http');
      expect(span.attributes['http.route']).toBe(route);
    });
    it(`${label}: without traceparent starts a new root trace`, async () => {
      const span = await invoke(make({ host: 'h' }));
      expect(span.parentSpanId).toBeUndefined();
      expect(span.traceId).not.toBe(TRACE_ID);
    });
    it(`${label}: a malformed traceparent starts a new root trace`, async () => {
      for (const bad of ['00-zzzz-b7ad6b7169203331-01', `00-${'0'.repeat(32)}-${PARENT_ID}-01`, 42, ['x'], { a: 1 }, 'x'.repeat(100_000)]) {
        const span = await invoke(make({ traceparent: bad }));
        expect(span.parentSpanId).toBeUndefined();
      }
    });
  }

  it('ALB: reads multiValueHeaders', async () => {
    const span = await invoke(http.alb({ traceparent: [TRACEPARENT], 'user-agent': ['ELB-HealthChecker/2.0'] }));
    expect(span.name).toBe('GET');
    expect(span.parentSpanId).toBe(PARENT_ID);
    expect(span.attributes['http.route']).toBeUndefined();
    expect(span.attributes['user_agent.original']).toBe('ELB-HealthChecker/2.0');
  });

  it('ALB: two traceparent values are ambiguous and give a new root', async () => {
    const span = await invoke(http.alb({ traceparent: [TRACEPARENT, tp(OTHER_TRACE, PARENT_ID)] }));
    expect(span.parentSpanId).toBeUndefined();
  });

  it('a direct invoke with a headers object', async () => {
    const span = await invoke({ headers: { Traceparent: TRACEPARENT }, prompt: 'hi' });
    expect(span.name).toBe('test-fn');
    expect(span.attributes['faas.trigger']).toBe('other');
    expect(span.parentSpanId).toBe(PARENT_ID);
  });

  it('huge header objects: scanned up to 512 keys, never past them', async () => {
    const many = (first?: string, last?: string) => {
      const headers: Record<string, string> = {};
      if (first) headers.traceparent = first;
      for (let i = 0; i < 20_000; i++) headers[`x-h-${i}`] = 'v';
      if (last) headers.traceparent = last;
      return headers;
    };
    expect((await invoke(http.httpApiV2(many(TRACEPARENT)))).parentSpanId).toBe(PARENT_ID);
    // Past the scan limit the header is not looked at: a new root, and no exception.
    expect((await invoke(http.httpApiV2(many(undefined, TRACEPARENT)))).parentSpanId).toBeUndefined();
  });
});

const sqsRecord = (traceparent?: string, extra: Record<string, unknown> = {}) => ({
  messageId: crypto.randomUUID(),
  body: '{"job":1}',
  attributes: { AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' },
  messageAttributes: traceparent ? { traceparent: { stringValue: traceparent, dataType: 'String' } } : {},
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:jobs',
  awsRegion: 'eu-west-1',
  ...extra,
});

describe('queue and topic triggers', () => {
  it('SQS: one link per record with a producer context; one shared trace becomes the parent', async () => {
    const span = await invoke({ Records: [sqsRecord(tp(TRACE_ID, 'aaaaaaaaaaaaaaaa')), sqsRecord(tp(TRACE_ID, 'bbbbbbbbbbbbbbbb')), sqsRecord()] });
    expect(span.name).toBe('process jobs');
    expect(span.kind).toBe('CONSUMER');
    expect(span.attributes).toMatchObject({
      'faas.trigger': 'pubsub',
      'messaging.system': 'aws_sqs',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'jobs',
      'messaging.batch.message_count': 3,
    });
    // The third record carries only its producer's X-Ray header: a link too, never the parent.
    expect(span.links.map((l) => [l.spanId, l.attributes['llm.link.source']])).toEqual([
      ['aaaaaaaaaaaaaaaa', 'message'],
      ['bbbbbbbbbbbbbbbb', 'message'],
      ['53995c3f42cd8ad8', 'message.aws.xray'],
    ]);
    expect(span.traceId).toBe(TRACE_ID);
    expect(span.parentSpanId).toBe('aaaaaaaaaaaaaaaa');
  });

  it('SQS: records from different traces are links only, under a new root', async () => {
    const span = await invoke({ Records: [sqsRecord(tp(TRACE_ID, 'aaaaaaaaaaaaaaaa')), sqsRecord(tp(OTHER_TRACE, 'bbbbbbbbbbbbbbbb'))] });
    expect(span.parentSpanId).toBeUndefined();
    expect(span.links.map((l) => l.traceId)).toEqual([TRACE_ID, OTHER_TRACE]);
  });

  it('SQS: an SNS envelope body (no raw delivery) carries the context', async () => {
    const body = JSON.stringify({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
      Message: 'm',
      MessageAttributes: { traceparent: { Type: 'String', Value: TRACEPARENT } },
    });
    const span = await invoke({ Records: [sqsRecord(undefined, { body })] });
    expect(span.parentSpanId).toBe(PARENT_ID);
  });

  it('SQS: malformed message attributes are ignored', async () => {
    const span = await invoke({
      Records: [
        sqsRecord(undefined, { messageAttributes: { traceparent: { stringValue: 7 } } }),
        sqsRecord(undefined, { messageAttributes: 'x', body: '{"MessageAttributes" traceparent' }),
        null,
        'str',
      ],
    });
    expect(span.kind).toBe('CONSUMER');
    expect(span.links.map((l) => l.attributes['llm.link.source'])).toEqual(['message.aws.xray', 'message.aws.xray']);
  });

  it('SNS: message attributes', async () => {
    const span = await invoke({
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: {
            TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
            MessageId: 'm-1',
            Message: 'x',
            MessageAttributes: { traceparent: { Type: 'String', Value: TRACEPARENT } },
          },
        },
      ],
    });
    expect(span.name).toBe('process alerts');
    expect(span.attributes).toMatchObject({ 'messaging.system': 'aws.sns', 'messaging.message.id': 'm-1', 'messaging.destination.name': 'alerts' });
    expect(span.parentSpanId).toBe(PARENT_ID);
    expect(span.links).toHaveLength(1);
  });

  it('EventBridge: detail._otel and flat detail.traceparent', async () => {
    const base = {
      version: '0',
      id: 'e-1',
      'detail-type': 'JobQueued',
      source: 'app.jobs',
      account: '123456789012',
      time: '2026-11-24T00:00:00Z',
      region: 'eu-west-1',
      resources: [],
    };
    let span = await invoke({ ...base, detail: { job: 1, _otel: { traceparent: TRACEPARENT } } });
    expect(span.kind).toBe('CONSUMER');
    expect(span.attributes['messaging.system']).toBe('aws.eventbridge');
    expect(span.parentSpanId).toBe(PARENT_ID);
    span = await invoke({ ...base, detail: { traceparent: TRACEPARENT } });
    expect(span.parentSpanId).toBe(PARENT_ID);
  });

  it('EventBridge schedule is a timer trigger', async () => {
    const span = await invoke({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} });
    expect(span.attributes['faas.trigger']).toBe('timer');
    expect(span.kind).toBe('SERVER');
  });

  it('S3 and DynamoDB are datasource triggers', async () => {
    expect((await invoke({ Records: [{ eventSource: 'aws:s3', s3: {} }] })).attributes['faas.trigger']).toBe('datasource');
    expect((await invoke({ Records: [{ eventSource: 'aws:dynamodb' }] })).attributes['faas.trigger']).toBe('datasource');
  });
});

describe('X-Ray and custom extraction', () => {
  const xray = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

  it("keeps the context's X-Ray header as a link and never as the parent", async () => {
    const span = await invoke(http.httpApiV2({ traceparent: TRACEPARENT }), lambdaContext({ xRayTraceId: xray }));
    expect(span.parentSpanId).toBe(PARENT_ID);
    expect(span.links).toEqual([
      expect.objectContaining({ traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', attributes: { 'llm.link.source': 'aws.xray' } }),
    ]);
  });

  it('falls back to _X_AMZN_TRACE_ID, and a new root is not made from it', async () => {
    process.env._X_AMZN_TRACE_ID = xray;
    try {
      const span = await invoke({});
      expect(span.parentSpanId).toBeUndefined();
      expect(span.traceId).not.toBe('5759e988bd862e3fe1be46a994272793');
      expect(span.links[0]?.spanId).toBe('53995c3f42cd8ad8');
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
  });

  it('ignores a malformed X-Ray header', async () => {
    for (const bad of ['Root=1-xyz;Parent=1', 'garbage', 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000']) {
      const span = await invoke({}, lambdaContext({ xRayTraceId: bad }));
      expect(span.links).toEqual([]);
    }
  });

  it('a user-supplied extractor wins over the headers', async () => {
    const custom = withLlmTracing(async () => 'ok', {
      extractContext: () => ({
        parent: trace.setSpanContext(ROOT_CONTEXT, { traceId: OTHER_TRACE, spanId: 'cccccccccccccccc', traceFlags: TraceFlags.SAMPLED, isRemote: true }),
      }),
    });
    receiver.clear();
    await custom(http.httpApiV2({ traceparent: TRACEPARENT }), lambdaContext());
    expect(receiver.spans[0]!.traceId).toBe(OTHER_TRACE);
    expect(receiver.spans[0]!.parentSpanId).toBe('cccccccccccccccc');
  });
});

describe('events that are not objects', () => {
  for (const event of [
    null,
    undefined,
    'a string',
    42,
    true,
    [],
    [1, 2],
    { Records: 'nope' },
    { Records: [] },
    { headers: null },
    { requestContext: { http: 'x' }, version: '2.0' },
  ]) {
    it(`gives a new root for ${JSON.stringify(event)}`, async () => {
      const span = await invoke(event);
      expect(span.parentSpanId).toBeUndefined();
      expect(span.name).toBe('test-fn');
      expect(span.attributes['faas.trigger']).toBe('other');
    });
  }
});
