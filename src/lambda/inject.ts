import { context, defaultTextMapSetter, diag, type Context as OtelContext } from '@opentelemetry/api';
import { getPropagator } from '../telemetry/provider.js';
import { EVENTBRIDGE_CARRIER_KEY } from './triggers/messaging.js';

/** The current trace context as carrier headers (`traceparent`, `tracestate`, `baggage`). */
export function injectTraceContext(ctx: OtelContext = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  try {
    getPropagator().inject(ctx, carrier, defaultTextMapSetter);
  } catch (error) {
    diag.warn('lambda-llm-tracing: injecting the trace context failed', error);
  }
  return carrier;
}

/** A message attribute as the AWS SDK's SQS and SNS inputs take it. */
export interface MessageAttributeValue {
  DataType: string | undefined;
  StringValue?: string | undefined;
  BinaryValue?: Uint8Array | undefined;
  [key: string]: unknown;
}

/** SQS and SNS accept at most ten message attributes; ours yield to the user's and go in order of importance. */
const MAX_MESSAGE_ATTRIBUTES = 10;

/** An SQS or SNS input: anything with optional `MessageAttributes`. */
export type WithMessageAttributes = { MessageAttributes?: Record<string, MessageAttributeValue> | undefined };
export type WithTraceAttributes<T> = T & { MessageAttributes: Record<string, MessageAttributeValue> };

function withMessageAttributes<T extends object>(input: T & WithMessageAttributes, ctx: OtelContext | undefined): WithTraceAttributes<T> {
  const attributes: Record<string, MessageAttributeValue> = { ...input.MessageAttributes };
  const carrier = injectTraceContext(ctx);
  for (const key of ['traceparent', 'tracestate', 'baggage']) {
    const value = carrier[key];
    if (value === undefined || key in attributes) continue;
    if (Object.keys(attributes).length >= MAX_MESSAGE_ATTRIBUTES) {
      diag.warn(`lambda-llm-tracing: no room for the ${key} message attribute (at most ${MAX_MESSAGE_ATTRIBUTES})`);
      break;
    }
    attributes[key] = { DataType: 'String', StringValue: value };
  }
  return { ...input, MessageAttributes: attributes };
}

/** A copy of an SQS `SendMessage` input (or a batch entry) carrying the trace context in its message attributes. */
export function withSqsTraceContext<T extends object>(input: T & WithMessageAttributes, ctx?: OtelContext): WithTraceAttributes<T> {
  return withMessageAttributes(input, ctx);
}

/** A copy of an SNS `Publish` input (or a batch entry) carrying the trace context in its message attributes. */
export function withSnsTraceContext<T extends object>(input: T & WithMessageAttributes, ctx?: OtelContext): WithTraceAttributes<T> {
  return withMessageAttributes(input, ctx);
}

/**
 * A copy of an EventBridge `PutEvents` entry whose JSON `Detail` carries the trace context under `_otel`, where
 * the consumer side reads it. A `Detail` that is not a JSON object is left as it is.
 */
export function withEventBridgeTraceContext<T extends { Detail?: string | undefined }>(entry: T, ctx?: OtelContext): T {
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail ?? '{}');
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    diag.warn('lambda-llm-tracing: EventBridge Detail is not a JSON object; trace context not added');
    return entry;
  }
  return { ...entry, Detail: JSON.stringify({ ...detail, [EVENTBRIDGE_CARRIER_KEY]: injectTraceContext(ctx) }) };
}
