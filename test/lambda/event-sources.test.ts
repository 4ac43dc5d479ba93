/**
 * Lambda event sources described as the FaaS, HTTP and messaging conventions say, on events in the shapes `sam
 * local generate-event` makes and the AWS documentation shows: SQS X-Ray headers as links, authorizers without a
 * status code, S3 and DynamoDB documents, Lambda@Edge and VPC Lattice as HTTP, Kafka and Amazon MQ as consumers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownTracing, traceRecord, withLlmTracing } from '../../src/index.js';
import * as E from '../fixtures/events/index.js';
import { PARENT_ID, TRACEPARENT, TRACE_ID, lambdaContext, lambdaEnv } from '../support/lambda.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/receiver.js';

let receiver: OtlpReceiver;
let answer: unknown = 'ok';
let inside: ((event: any) => unknown) | undefined;
let handler: (event: unknown, ctx: ReturnType<typeof lambdaContext>) => Promise<unknown>;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  lambdaEnv(receiver.url);
  delete process.env._X_AMZN_TRACE_ID;
  handler = withLlmTracing(async (event: unknown) => (inside ? inside(event) : answer));
});
afterAll(async () => {
  await shutdownTracing(500);
  await receiver.close();
});

async function invoke(event: unknown, result: unknown = 'ok', ctx = lambdaContext()): Promise<ReceivedSpan> {
  receiver.clear();
  answer = result;
  expect(await handler(event, ctx)).toBe(result);
  const root = receiver.spans.find((s) => s.attributes['faas.invocation.id'] === ctx.awsRequestId);
  expect(root).toBeDefined();
  return root!;
}

const XRAY_TRACE = '5759e988bd862e3fe1be46a994272793';
const xray = (spanId: string) => `Root=1-${XRAY_TRACE.slice(0, 8)}-${XRAY_TRACE.slice(8)};Parent=${spanId};Sampled=1`;
const tp = (spanId: string) => `00-${TRACE_ID}-${spanId}-01`;

describe('SQS attributes.AWSTraceHeader', () => {
  it('becomes a link per record; a W3C context in the message attributes wins over it', async () => {
    const event = E.sqs([{ awsTraceHeader: xray('1111111111111111') }, { traceparent: tp('aaaaaaaaaaaaaaaa'), awsTraceHeader: xray('2222222222222222') }, {}]);
    const span = await invoke(event);
    expect(span.links.map((l) => [l.traceId, l.spanId, l.attributes['llm.link.source']])).toEqual([
      [XRAY_TRACE, '1111111111111111', 'message.aws.xray'],
      [TRACE_ID, 'aaaaaaaaaaaaaaaa', 'message'],
    ]);
    // The X-Ray header is a link, never the parent; the one W3C producer is.
    expect(span.traceId).toBe(TRACE_ID);
  });

  it('traceRecord links the X-Ray header of its record', async () => {
    const event = E.sqs([{ awsTraceHeader: xray('3333333333333333') }]);
    inside = (e) => traceRecord(e.Records[0], () => 'ok');
    try {
      await invoke(event);
    } finally {
      inside = undefined;
    }
    const record = receiver.spans.find((s) => s.name === 'process my-queue' && s.attributes['faas.invocation.id'] === undefined)!;
    expect(record.links.map((l) => [l.spanId, l.attributes['llm.link.source']])).toEqual([['3333333333333333', 'message.aws.xray']]);
  });
});

describe('authorizers answer with a policy, not an HTTP response', () => {
  const policy = {
    principalId: 'user',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }] },
  };
  const cases: [string, unknown, unknown, string][] = [
    ['REST TOKEN', E.restTokenAuthorizer, policy, 'GET'],
    ['REST REQUEST', E.restRequestAuthorizer, policy, 'GET /request'],
    ['HTTP API payload 1.0', E.httpApiV1Authorizer, policy, 'GET /request'],
    ['HTTP API payload 2.0 (simple response)', E.httpApiV2Authorizer, { isAuthorized: true, context: { user: 'u' } }, 'POST /request'],
  ];
  it.each(cases)('%s: an HTTP SERVER span without http.response.status_code', async (_label, event, result, name) => {
    const span = await invoke(event, result);
    expect(span.kind).toBe('SERVER');
    expect(span.name).toBe(name);
    expect(span.attributes['faas.trigger']).toBe('http');
    expect(span.attributes['http.response.status_code']).toBeUndefined();
    expect(JSON.stringify(span.attributes)).not.toContain('incoming-client-token');
  });
});

describe('S3 and DynamoDB documents', () => {
  it('S3: bucket, insert or delete, the decoded key and the event time', async () => {
    const put = await invoke(E.s3Put);
    expect(put.attributes).toMatchObject({
      'faas.trigger': 'datasource',
      'faas.document.collection': 'example-bucket',
      'faas.document.operation': 'insert',
      'faas.document.name': 'test/my key.txt',
      'faas.document.time': '1970-01-01T00:00:00.000Z',
    });
    const removed = await invoke(E.s3Delete);
    expect(removed.attributes).toMatchObject({ 'faas.document.operation': 'delete', 'faas.document.time': '2026-11-30T10:00:00.000Z' });
  });

  it.each([
    ['INSERT', 'insert'],
    ['MODIFY', 'edit'],
    ['REMOVE', 'delete'],
  ])('DynamoDB %s: the table, %s, the item key and the change time', async (eventName, operation) => {
    const span = await invoke(E.dynamo(eventName));
    expect(span.attributes).toMatchObject({
      'faas.trigger': 'datasource',
      'faas.document.collection': 'ExampleTableWithStream',
      'faas.document.operation': operation,
      'faas.document.name': '101',
      'faas.document.time': '2015-04-09T00:00:00.000Z',
    });
  });
});

describe('Lambda@Edge and VPC Lattice are HTTP', () => {
  const cases: [string, (t?: string) => unknown, string, string][] = [
    ['CloudFront viewer request', E.cloudFront, 'GET', '/media/index.html'],
    ['VPC Lattice v1', E.latticeV1, 'GET', '/testpath'],
    ['VPC Lattice v2', E.latticeV2, 'GET', '/health'],
  ];
  it.each(cases)('%s: SERVER, method, path, and the trace context from its headers', async (_label, make, method, path) => {
    const span = await invoke(make(TRACEPARENT), { statusCode: 200 });
    expect(span.kind).toBe('SERVER');
    expect(span.name).toBe(method);
    expect(span.attributes).toMatchObject({ 'faas.trigger': 'http', 'http.request.method': method, 'url.path': path });
    expect(span.traceId).toBe(TRACE_ID);
    expect(span.parentSpanId).toBe(PARENT_ID);
    expect(JSON.stringify(span.attributes)).not.toContain('key=value');
  });

  it('CloudFront: host, user agent and client address from the request', async () => {
    const span = await invoke(E.cloudFront());
    expect(span.attributes).toMatchObject({
      'server.address': 'd111111abcdef8.cloudfront.net',
      'user_agent.original': 'curl/7.66.0',
      'client.address': '203.0.113.178',
    });
  });

  it('VPC Lattice v2: the response status code is recorded', async () => {
    const span = await invoke(E.latticeV2(), { statusCode: 503, statusDescription: '503 Service Unavailable' });
    expect(span.attributes['http.response.status_code']).toBe(503);
    expect(span.status.code).toBe('ERROR');
  });
});

describe('Kafka and Amazon MQ are consumers', () => {
  const cases: [string, (t: (string | undefined)[]) => unknown, string, string][] = [
    ['Amazon MSK', (t) => E.msk(t), 'kafka', 'mytopic'],
    ['self-managed Kafka', (t) => E.msk(t, true), 'kafka', 'mytopic'],
    ['Amazon MQ for ActiveMQ', E.activeMq, 'activemq', 'testQueue'],
    ['Amazon MQ for RabbitMQ', E.rabbitMq, 'rabbitmq', 'pizzaQueue'],
  ];
  it.each(cases)('%s: process {destination}, system, batch count, a link per record with a context', async (_label, make, system, destination) => {
    const span = await invoke(make([tp('aaaaaaaaaaaaaaaa'), undefined, tp('bbbbbbbbbbbbbbbb')]));
    expect(span.kind).toBe('CONSUMER');
    expect(span.name).toBe(`process ${destination}`);
    expect(span.attributes).toMatchObject({
      'faas.trigger': 'pubsub',
      'messaging.system': system,
      'messaging.destination.name': destination,
      'messaging.operation.type': 'process',
      'messaging.batch.message_count': 3,
    });
    expect(span.links.map((l) => [l.spanId, l.attributes['llm.link.source']])).toEqual([
      ['aaaaaaaaaaaaaaaa', 'message'],
      ['bbbbbbbbbbbbbbbb', 'message'],
    ]);
    expect(span.traceId).toBe(TRACE_ID);
  });

  it('Kafka, one record: its partition and offset', async () => {
    const span = await invoke(E.msk([undefined]));
    expect(span.attributes).toMatchObject({ 'messaging.destination.partition.id': '0', 'messaging.kafka.offset': 15 });
  });
});
