import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  injectTraceContext,
  shutdownTracing,
  traceRecord,
  traceStep,
  withEventBridgeTraceContext,
  withLlmTracing,
  withSnsTraceContext,
  withSqsTraceContext,
} from '../../src/index.js';
import { byName, spanTree, startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';
import { lambdaContext, lambdaEnv } from '../support/lambda.js';
import * as E from '../fixtures/events/index.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  lambdaEnv(receiver.url, { OTEL_PROPAGATORS: 'tracecontext,baggage' });
});
afterAll(async () => {
  await shutdownTracing(500);
  await receiver.close();
});

type SdkAttrs = Record<string, { DataType: string | undefined; StringValue?: string | undefined }>;
// What Lambda delivers for a message sent with these attributes: the same values, lower-camel-cased.
const sqsEventFor = (bodies: { MessageAttributes?: SdkAttrs }[]) => ({
  Records: bodies.map((b, i) => ({
    messageId: `m-${i}`,
    body: 'job',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:jobs',
    messageAttributes: Object.fromEntries(Object.entries(b.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue, dataType: v.DataType }])),
  })),
});

describe('carrying the trace across a queue', () => {
  it('injectTraceContext returns traceparent for the active span and nothing outside one', async () => {
    expect(injectTraceContext()).toEqual({});
    const producer = withLlmTracing(async () => injectTraceContext());
    const carrier = await producer({}, lambdaContext());
    const span = receiver.spans.at(-1)!;
    expect(carrier.traceparent).toBe(`00-${span.traceId}-${span.spanId}-01`);
  });

  it('SQS: the worker invocation and its record spans join the producer trace', async () => {
    receiver.clear();
    const producer = withLlmTracing(async () =>
      traceStep('enqueue', () =>
        withSqsTraceContext({ QueueUrl: 'q', MessageBody: 'job', MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } } }),
      ),
    );
    const sent = await producer({}, lambdaContext());
    expect(sent.MessageAttributes.tenant).toEqual({ DataType: 'String', StringValue: 'acme' });
    expect(sent.MessageAttributes.traceparent?.DataType).toBe('String');

    const worker = withLlmTracing(async (event: ReturnType<typeof sqsEventFor>) => {
      for (const record of event.Records) await traceRecord(record, () => traceStep('embed', async () => 1));
      return 'done';
    });
    expect(await worker(sqsEventFor([sent]), lambdaContext())).toBe('done');

    const enqueue = byName(receiver.spans, 'enqueue');
    const consumer = receiver.spans.find((s) => s.name === 'process jobs' && s.attributes['faas.trigger'] === 'pubsub')!;
    const recordSpan = receiver.spans.find((s) => s.name === 'process jobs' && s !== consumer)!;
    const embed = byName(receiver.spans, 'embed');
    const tree = spanTree(receiver.spans);
    expect(new Set(receiver.spans.map((s) => s.traceId)).size, tree).toBe(1);
    expect(consumer.parentSpanId, tree).toBe(enqueue.spanId);
    expect(recordSpan.parentSpanId, tree).toBe(consumer.spanId);
    expect(recordSpan.kind).toBe('CONSUMER');
    expect(recordSpan.links.map((l) => l.spanId)).toEqual([enqueue.spanId]);
    expect(recordSpan.attributes).toMatchObject({ 'messaging.system': 'aws_sqs', 'messaging.message.id': 'm-0', 'messaging.destination.name': 'jobs' });
    expect(embed.parentSpanId).toBe(recordSpan.spanId);
  });

  it('SQS batch from two producers: each record span is parented on its own producer, linked to the invocation', async () => {
    receiver.clear();
    const producer = withLlmTracing(async () => withSqsTraceContext({ MessageBody: 'x' }));
    const a = await producer({}, lambdaContext());
    const b = await producer({}, lambdaContext());
    const [pa, pb] = receiver.spans;
    const worker = withLlmTracing(async (event: ReturnType<typeof sqsEventFor>) => {
      for (const record of event.Records) await traceRecord(record, async () => 'ok');
    });
    await worker(sqsEventFor([a, b]), lambdaContext());
    const invocation = receiver.spans.find((s) => s.attributes['faas.trigger'] === 'pubsub')!;
    const records = receiver.spans.filter((s) => s.name === 'process jobs' && s !== invocation);
    expect(invocation.parentSpanId).toBeUndefined();
    expect(invocation.links.map((l) => l.spanId)).toEqual([pa!.spanId, pb!.spanId]);
    expect(records.map((r) => [r.traceId, r.parentSpanId])).toEqual([
      [pa!.traceId, pa!.spanId],
      [pb!.traceId, pb!.spanId],
    ]);
    for (const r of records) expect(r.links.map((l) => l.spanId)).toContain(invocation.spanId);
  });

  it('SNS: message attributes round-trip', async () => {
    receiver.clear();
    const producer = withLlmTracing(async () => withSnsTraceContext({ TopicArn: 'arn:aws:sns:eu-west-1:1:alerts', Message: 'm' }));
    const published = await producer({}, lambdaContext());
    const event = {
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: {
            TopicArn: published.TopicArn,
            MessageId: 'sns-1',
            MessageAttributes: Object.fromEntries(Object.entries(published.MessageAttributes).map(([k, v]) => [k, { Type: 'String', Value: v.StringValue }])),
          },
        },
      ],
    };
    const worker = withLlmTracing(async (e: typeof event) => traceRecord(e.Records[0], () => 'ok'));
    await worker(event, lambdaContext());
    expect(new Set(receiver.spans.map((s) => s.traceId)).size).toBe(1);
    expect(receiver.spans.filter((s) => s.name === 'process alerts')).toHaveLength(2);
  });

  it('EventBridge: the detail carries the context; a non-object detail is left alone', async () => {
    receiver.clear();
    const producer = withLlmTracing(async () =>
      withEventBridgeTraceContext({ Source: 'app.jobs', DetailType: 'JobQueued', Detail: JSON.stringify({ job: 7 }) }),
    );
    const entry = await producer({}, lambdaContext());
    const detail = JSON.parse(entry.Detail) as { job: number; _otel: Record<string, string> };
    expect(detail.job).toBe(7);
    expect(detail._otel.traceparent).toMatch(/^00-/);
    const worker = withLlmTracing(async () => 'ok');
    await worker({ id: 'e', 'detail-type': entry.DetailType, source: entry.Source, detail }, lambdaContext());
    const [p, w] = receiver.spans;
    expect(w!.parentSpanId).toBe(p!.spanId);
    expect(withEventBridgeTraceContext({ Detail: '[1,2]' }).Detail).toBe('[1,2]');
    expect(withEventBridgeTraceContext({ Detail: 'not json' }).Detail).toBe('not json');
  });

  it('never exceeds the ten message attributes SQS allows', () => {
    const full: SdkAttrs = {};
    for (let i = 0; i < 10; i++) full[`a${i}`] = { DataType: 'String', StringValue: 'v' };
    const out = withSqsTraceContext({ MessageAttributes: full }, undefined);
    expect(Object.keys(out.MessageAttributes)).toHaveLength(10);
  });

  it('traceRecord rethrows the callback error as is and records it', async () => {
    receiver.clear();
    const error = new Error('bad record');
    const worker = withLlmTracing(async () =>
      traceRecord({ eventSource: 'aws:sqs', messageId: 'm', eventSourceARN: 'arn:aws:sqs:r:1:jobs' }, () => Promise.reject(error)),
    );
    await expect(worker({}, lambdaContext())).rejects.toBe(error);
    const span = receiver.spans.find((s) => s.kind === 'CONSUMER')!;
    expect(span.status.code).toBe('ERROR');
  });
});

describe('traceRecord on broker records (Kafka, Amazon MQ)', () => {
  /** Two producer invocations, each returning its traceparent; their spans in order. */
  async function twoProducers() {
    receiver.clear();
    const producer = withLlmTracing(async () => injectTraceContext().traceparent);
    const tps = [await producer({}, lambdaContext()), await producer({}, lambdaContext())] as string[];
    return { tps, producers: [...receiver.spans] };
  }

  /** Runs `traceRecord` over each record in a wrapped worker; the record spans (CONSUMER, not the invocation). */
  async function work<Ev>(event: Ev, records: (e: Ev) => unknown[]) {
    const worker = withLlmTracing(async (e: Ev) => {
      for (const r of records(e)) await traceRecord(r, async () => traceStep('handle', async () => 1));
    });
    await worker(event, lambdaContext());
    const invocation = receiver.spans.find((x) => x.attributes['faas.trigger'] === 'pubsub')!;
    return { invocation, spans: receiver.spans.filter((x) => x.kind === 'CONSUMER' && x !== invocation) };
  }

  it('Kafka: each record span is parented on the producer its headers (byte arrays) name, with topic, partition and offset', async () => {
    const { tps, producers } = await twoProducers();
    const { invocation, spans } = await work(E.msk(tps), (e) => e.records['mytopic-0']);
    expect(spans.map((x) => [x.name, x.traceId, x.parentSpanId])).toEqual(producers.map((p) => ['process mytopic', p.traceId, p.spanId]));
    expect(spans.map((x) => x.attributes)).toEqual(
      [15, 16].map((offset) =>
        expect.objectContaining({
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': 'mytopic',
          'messaging.destination.partition.id': '0',
          'messaging.kafka.offset': offset,
        }),
      ),
    );
    for (const x of spans) expect(x.links.map((l) => l.spanId)).toContain(invocation.spanId);
    const handled = receiver.spans.filter((x) => x.name === 'handle');
    expect(handled.map((h) => h.parentSpanId)).toEqual(spans.map((x) => x.spanId));
  });

  it('ActiveMQ: the producer from the message properties, the queue and the message id', async () => {
    const { tps, producers } = await twoProducers();
    const { spans } = await work(E.activeMq(tps), (e) => e.messages);
    expect(spans.map((x) => [x.name, x.parentSpanId])).toEqual(producers.map((p) => ['process testQueue', p.spanId]));
    expect(spans[0]!.attributes).toMatchObject({ 'messaging.system': 'activemq', 'messaging.destination.name': 'testQueue' });
    expect(String(spans[0]!.attributes['messaging.message.id'])).toMatch(/^ID:b-9bcfa592/);
  });

  it('RabbitMQ: the producer from the headers ({ bytes }), a plain process span (the record does not name its queue)', async () => {
    const { tps, producers } = await twoProducers();
    const { spans } = await work(E.rabbitMq(tps), (e) => e.rmqMessagesByQueue['pizzaQueue::/']);
    expect(spans.map((x) => [x.name, x.parentSpanId, x.attributes['messaging.system']])).toEqual(producers.map((p) => ['process', p.spanId, 'rabbitmq']));
  });

  it('a broker record without a trace context nests under the invocation', async () => {
    receiver.clear();
    const { invocation, spans } = await work(E.msk([undefined]), (e) => e.records['mytopic-0']);
    expect(spans.map((x) => [x.name, x.parentSpanId, x.links.length])).toEqual([['process mytopic', invocation.spanId, 0]]);
  });
});
