import { SpanKind } from '@opentelemetry/api';
import * as S from '../../telemetry/semconv.js';
import { isObj, obj } from '../../util.js';
import { brokerDescription } from './brokers.js';
import type { EventDescription } from './description.js';
import { authorizerDescription, cloudFrontDescription, latticeDescription } from './edge.js';
import { pickHeaders } from './headers.js';
import { httpDescription } from './http.js';
import { eventBridgeDescription } from './messaging.js';
import { recordsDescription } from './records.js';

export type { EventDescription } from './description.js';
export type { Carrier } from './headers.js';

/**
 * Classifies a Lambda event by its shape. Never throws on any input: every field is type-checked before use, so
 * a null, a string or a hostile object falls through to a plain `other` invocation.
 */
export function describeEvent(event: unknown, fields: readonly string[], fnName: string): EventDescription {
  const fallback: EventDescription = {
    kind: SpanKind.SERVER,
    name: fnName,
    attributes: { [S.ATTR_FAAS_TRIGGER]: S.FAAS_TRIGGER_OTHER },
  };
  if (!isObj(event)) return fallback;
  const described =
    authorizerDescription(event, fields) ??
    httpDescription(event, fields) ??
    latticeDescription(event, fields) ??
    (Array.isArray(event.Records) && event.Records.length > 0 ? fromRecords(event.Records, fields) : undefined) ??
    brokerDescription(event, fields) ??
    eventBridgeDescription(event, fields);
  if (described) {
    if (!described.name) described.name = fnName;
    return described;
  }
  // A direct invoke that carries a `headers` object (our own convention and several frameworks').
  const headers = pickHeaders(fields, event.headers);
  return headers ? { ...fallback, headers } : fallback;
}

/** Lambda@Edge events are `Records` too, with a `cf` member instead of an event source. */
function fromRecords(records: unknown[], fields: readonly string[]): EventDescription | undefined {
  const first = obj(records[0]);
  return first && obj(first.cf) ? cloudFrontDescription(first, fields) : recordsDescription(records, fields);
}
