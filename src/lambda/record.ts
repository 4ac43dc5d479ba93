import { SpanKind, context, isSpanContextValid, trace, ROOT_CONTEXT, defaultTextMapGetter, type Attributes, type Link, type Span } from '@opentelemetry/api';
import { getPropagator, getTracer, propagatorFields } from '../telemetry/provider.js';
import { ATTR_LLM_LINK_SOURCE } from '../telemetry/semconv.js';
import { safely } from '../telemetry/safe.js';
import { runInSpan } from '../telemetry/step.js';
import { brokerRecord } from './triggers/brokers.js';
import { recordAttributes, recordCarrier, sqsXRayHeader } from './triggers/messaging.js';
import { parseXRayHeader } from './xray.js';

export interface RecordOptions {
  /** Span name; default `process <queue or topic>`. */
  name?: string;
  attributes?: Attributes;
}

/**
 * Runs `fn` for one queue record (SQS, SNS, EventBridge, Kafka, ActiveMQ, RabbitMQ) in a CONSUMER span tied to
 * the record's producer. When the invocation span already sits in the producer's trace the record span nests
 * under it and links the producer; otherwise it is parented on the producer, so the worker's spans still join
 * that trace, and links the invocation.
 */
export function traceRecord<T>(record: unknown, fn: (span: Span) => T, options: RecordOptions = {}): T {
  // A hostile record (throwing getters, a Proxy) gives a plain span under the invocation, never an error.
  const started = safely('reading a queue record', () => startRecordSpan(record, options));
  if (!started) return runInSpan(getTracer().startSpan(options.name ?? 'process', { kind: SpanKind.CONSUMER, attributes: options.attributes }), fn);
  return context.with(started.parent, () => runInSpan(started.span, fn));
}

function startRecordSpan(record: unknown, options: RecordOptions): { span: Span; parent: ReturnType<typeof context.active> } {
  const propagator = getPropagator();
  const fields = propagatorFields();
  const broker = brokerRecord(record, fields);
  const carrier = broker ? broker.carrier : recordCarrier(record, fields);
  const producer = carrier ? propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter) : undefined;
  const producerSpan = producer ? trace.getSpanContext(producer) : undefined;
  const active = context.active();
  const activeSpan = trace.getSpanContext(active);
  const links: Link[] = [];
  let parent = active;
  if (producer && producerSpan && isSpanContextValid(producerSpan)) {
    links.push({ context: producerSpan, attributes: { [ATTR_LLM_LINK_SOURCE]: 'message' } });
    if (!activeSpan || activeSpan.traceId !== producerSpan.traceId) {
      parent = producer;
      if (activeSpan && isSpanContextValid(activeSpan)) links.push({ context: activeSpan });
    }
  } else {
    // An X-Ray-traced producer's header is a link, never a parent, as for the invocation.
    const xray = parseXRayHeader(sqsXRayHeader(record));
    if (xray) links.push({ context: xray, attributes: { [ATTR_LLM_LINK_SOURCE]: 'message.aws.xray' } });
  }
  const described = broker ?? recordAttributes(record);
  const span = getTracer().startSpan(
    options.name ?? described.name,
    { kind: SpanKind.CONSUMER, attributes: { ...described.attributes, ...options.attributes }, links },
    parent,
  );
  return { span, parent };
}
