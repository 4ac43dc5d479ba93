import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  isSpanContextValid,
  trace,
  type Context as OtelContext,
  type Link,
  type SpanContext,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { ATTR_LLM_LINK_SOURCE } from '../telemetry/semconv.js';
import type { EventDescription } from './triggers/description.js';
import type { Carrier } from './triggers/headers.js';
import type { ExtractedContext, LambdaContext } from '../types.js';
import { parseXRayHeader } from './xray.js';

export interface InvocationParent {
  parent: OtelContext;
  links: Link[];
}

function extractFrom(propagator: TextMapPropagator, carrier: Carrier | undefined): OtelContext | undefined {
  if (!carrier) return undefined;
  const ctx = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const sc = trace.getSpanContext(ctx);
  return sc && isSpanContextValid(sc) ? ctx : undefined;
}

/** The X-Ray header of this invocation: the context's own first, since `_X_AMZN_TRACE_ID` is process-wide. */
export function xrayHeader(context: LambdaContext | undefined): string | undefined {
  const fromContext = context?.xRayTraceId;
  return typeof fromContext === 'string' && fromContext ? fromContext : process.env._X_AMZN_TRACE_ID;
}

/**
 * Parent and links of an invocation span. A W3C parent comes from the headers, or from the records when they all
 * belong to one producer trace; every record's producer becomes a link; Lambda's X-Ray context is only ever a
 * link, so it never replaces a W3C parent.
 */
export function extractInvocationParent(
  description: EventDescription,
  propagator: TextMapPropagator,
  custom: ExtractedContext | undefined,
  context: LambdaContext | undefined,
): InvocationParent {
  const links: Link[] = [];
  let parent: OtelContext | undefined;
  if (custom) {
    parent = custom.parent;
    if (Array.isArray(custom.links)) links.push(...custom.links);
  } else {
    parent = extractFrom(propagator, description.headers);
    if (description.messages) {
      const producers = messageLinks(description, propagator, links);
      const traceIds = new Set(producers.map((c) => trace.getSpanContext(c)!.traceId));
      if (!parent && producers.length > 0 && traceIds.size === 1) parent = producers[0];
    }
  }
  const xray: SpanContext | undefined = parseXRayHeader(xrayHeader(context));
  if (xray && !links.some((l) => l.context.traceId === xray.traceId && l.context.spanId === xray.spanId)) {
    links.push({ context: xray, attributes: { [ATTR_LLM_LINK_SOURCE]: 'aws.xray' } });
  }
  return { parent: parent ?? ROOT_CONTEXT, links };
}

/**
 * One link per record: its W3C context when its producer injected one, else the X-Ray header an X-Ray-traced
 * producer left on it (SQS `AWSTraceHeader`), which is only ever a link. Returns the W3C producers.
 */
function messageLinks(description: EventDescription, propagator: TextMapPropagator, links: Link[]): OtelContext[] {
  const producers: OtelContext[] = [];
  description.messages?.forEach((carrier, i) => {
    const ctx = extractFrom(propagator, carrier);
    if (ctx) {
      producers.push(ctx);
      links.push({ context: trace.getSpanContext(ctx)!, attributes: { [ATTR_LLM_LINK_SOURCE]: 'message' } });
      return;
    }
    const xray = parseXRayHeader(description.xray?.[i]);
    if (xray) links.push({ context: xray, attributes: { [ATTR_LLM_LINK_SOURCE]: 'message.aws.xray' } });
  });
  return producers;
}
