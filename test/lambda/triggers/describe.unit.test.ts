import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../../src/lambda/triggers/describe.js';
import { cloudFront, dynamo, msk, rabbitMq, restTokenAuthorizer, s3Put, sqs } from '../../fixtures/events/index.js';

// The W3C trace-context and baggage propagators' fields, as the invocation passes them.
const FIELDS = ['traceparent', 'tracestate', 'baggage'];
const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const FN = 'my-function';

describe('describeEvent', () => {
  it('names an HTTP API (payload 2.0) request after its method and route, and keeps only the propagator and recorded headers', () => {
    const d = describeEvent(
      {
        version: '2.0',
        routeKey: 'POST /chat/{id}',
        rawPath: '/chat/42',
        headers: { Traceparent: TP, 'user-agent': 'curl/8', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', authorization: 'Bearer secret' },
        requestContext: { domainName: 'api.example.com', http: { method: 'post', path: '/chat/42', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9' } },
      },
      FIELDS,
      FN,
    );
    expect(d.kind).toBe(SpanKind.SERVER);
    expect(d.name).toBe('POST /chat/{id}');
    expect(d.attributes).toEqual({
      'faas.trigger': 'http',
      'http.request.method': 'POST',
      'http.route': '/chat/{id}',
      'url.path': '/chat/42',
      'url.scheme': 'https',
      'server.address': 'api.example.com',
      'server.port': 443,
      'user_agent.original': 'curl/8',
      'client.address': '203.0.113.9',
      'network.protocol.version': '1.1',
    });
    expect(d.headers).toEqual({ traceparent: TP });
    expect(d.inferStatus200).toBe(true);
  });

  it('gives a Function URL ($default route) the method alone as its name', () => {
    const d = describeEvent({ version: '2.0', routeKey: '$default', rawPath: '/', requestContext: { http: { method: 'GET', path: '/' } } }, FIELDS, FN);
    expect(d.name).toBe('GET');
    expect(d.attributes['http.route']).toBeUndefined();
  });

  it('joins REST multiValueHeaders with commas and takes the route from `resource`; ALB has no route', () => {
    const rest = describeEvent(
      { httpMethod: 'GET', path: '/items/7', resource: '/items/{id}', multiValueHeaders: { tracestate: ['a=1', 'b=2'] }, requestContext: { identity: {} } },
      FIELDS,
      FN,
    );
    expect(rest.name).toBe('GET /items/{id}');
    expect(rest.headers).toEqual({ tracestate: 'a=1,b=2' });
    expect(rest.inferStatus200).toBe(false);
    const alb = describeEvent(
      { httpMethod: 'GET', path: '/x', resource: '/ignored', headers: {}, requestContext: { elb: { targetGroupArn: 'arn' } } },
      FIELDS,
      FN,
    );
    expect(alb.name).toBe('GET');
  });

  it('describes an SQS batch as a CONSUMER of the queue, with one carrier and X-Ray header per record', () => {
    const xray = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const d = describeEvent(sqs([{ traceparent: TP }, { awsTraceHeader: xray }]), FIELDS, FN);
    expect(d.kind).toBe(SpanKind.CONSUMER);
    expect(d.name).toBe('process my-queue');
    expect(d.attributes).toEqual({
      'faas.trigger': 'pubsub',
      'messaging.system': 'aws_sqs',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'my-queue',
      'messaging.batch.message_count': 2,
    });
    expect(d.messages).toEqual([{ traceparent: TP }, undefined]);
    expect(d.xray).toEqual([undefined, xray]);
  });

  it('adds the message id only for a single SQS message', () => {
    expect(describeEvent(sqs([{}]), FIELDS, FN).attributes['messaging.message.id']).toBe('059f36b4-87a3-44ab-83d2-661975970000');
    expect(describeEvent(sqs([{}, {}]), FIELDS, FN).attributes['messaging.message.id']).toBeUndefined();
  });

  it('reads the producer context of an SNS envelope delivered through SQS without raw delivery', () => {
    const envelope = { Type: 'Notification', MessageAttributes: { traceparent: { Type: 'String', Value: TP } }, Message: 'hi' };
    const event = { Records: [{ eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:1:q', body: JSON.stringify(envelope), messageAttributes: {} }] };
    expect(describeEvent(event, FIELDS, FN).messages).toEqual([{ traceparent: TP }]);
  });

  it('describes an EventBridge schedule as a timer named after the function, and another event as a CONSUMER of its source', () => {
    const scheduled = describeEvent({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }, FIELDS, FN);
    expect(scheduled).toEqual({ kind: SpanKind.SERVER, name: FN, attributes: { 'faas.trigger': 'timer' } });
    const custom = describeEvent({ id: 'ev-1', 'detail-type': 'OrderPlaced', source: 'shop.orders', detail: { _otel: { traceparent: TP } } }, FIELDS, FN);
    expect(custom.kind).toBe(SpanKind.CONSUMER);
    expect(custom.name).toBe('process shop.orders');
    expect(custom.attributes['messaging.system']).toBe('aws.eventbridge');
    expect(custom.attributes['messaging.message.id']).toBe('ev-1');
    expect(custom.messages).toEqual([{ traceparent: TP }]);
  });

  it('describes an S3 notification as a datasource with the decoded key', () => {
    const d = describeEvent(s3Put, FIELDS, FN);
    expect(d).toEqual({
      kind: SpanKind.SERVER,
      name: FN,
      attributes: {
        'faas.trigger': 'datasource',
        'faas.document.collection': 'example-bucket',
        'faas.document.operation': 'insert',
        'faas.document.name': 'test/my key.txt',
        'faas.document.time': '1970-01-01T00:00:00.000Z',
      },
    });
  });

  it('maps DynamoDB MODIFY to edit, the key values to the name and the epoch seconds to ISO time', () => {
    const d = describeEvent(dynamo('MODIFY'), FIELDS, FN);
    expect(d.attributes).toEqual({
      'faas.trigger': 'datasource',
      'faas.document.collection': 'ExampleTableWithStream',
      'faas.document.operation': 'edit',
      'faas.document.name': '101',
      'faas.document.time': '2015-04-09T00:00:00.000Z',
    });
  });

  it('decodes Kafka byte-array headers and records partition and offset for a single record', () => {
    const d = describeEvent(msk([TP]), FIELDS, FN);
    expect(d.name).toBe('process mytopic');
    expect(d.attributes['messaging.system']).toBe('kafka');
    expect(d.attributes['messaging.destination.partition.id']).toBe('0');
    expect(d.attributes['messaging.kafka.offset']).toBe(15);
    expect(d.messages).toEqual([{ traceparent: TP }]);
  });

  it('names a RabbitMQ destination without its virtual host', () => {
    const d = describeEvent(rabbitMq([TP]), FIELDS, FN);
    expect(d.name).toBe('process pizzaQueue');
    expect(d.messages).toEqual([{ traceparent: TP }]);
  });

  it('takes a REST TOKEN authorizer request from its method ARN and never infers a status', () => {
    const d = describeEvent(restTokenAuthorizer, FIELDS, FN);
    expect(d.name).toBe('GET');
    expect(d.attributes['url.path']).toBe('/request');
    expect(d.authorizer).toBe(true);
    expect(d.inferStatus200).toBe(false);
  });

  it("reads Lambda@Edge's { key, value } header lists", () => {
    const d = describeEvent(cloudFront(TP), FIELDS, FN);
    expect(d.name).toBe('GET');
    expect(d.attributes['server.address']).toBe('d111111abcdef8.cloudfront.net');
    expect(d.attributes['url.path']).toBe('/media/index.html');
    expect(d.headers).toEqual({ traceparent: TP });
  });

  it('falls back to a SERVER `other` span named after the function, with a direct invoke’s headers', () => {
    const other = { kind: SpanKind.SERVER, name: FN, attributes: { 'faas.trigger': 'other' } };
    for (const event of [null, undefined, 'text', 42, [], { hello: 'world' }, { Records: [] }]) expect(describeEvent(event, FIELDS, FN)).toEqual(other);
    expect(describeEvent({ headers: { TRACEPARENT: TP, other: 'x' } }, FIELDS, FN)).toEqual({ ...other, headers: { traceparent: TP } });
  });

  it('ignores header values too long to be a trace header', () => {
    expect(describeEvent({ headers: { traceparent: 'x'.repeat(8193) } }, FIELDS, FN).headers).toBeUndefined();
    expect(describeEvent({ headers: { traceparent: 'x'.repeat(8192) } }, FIELDS, FN).headers?.traceparent).toHaveLength(8192);
  });
});
