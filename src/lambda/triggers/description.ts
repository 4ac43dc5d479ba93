import type { Attributes, SpanKind } from '@opentelemetry/api';
import { str } from '../../util.js';
import type { Carrier } from './headers.js';

/** How many records of a batch we read producer contexts from (the SDK keeps 128 links by default). */
export const MAX_RECORDS = 128;

/** What the invocation span is made from: kind, name and attributes, plus where producer contexts may be found. */
export interface EventDescription {
  kind: SpanKind;
  name: string;
  attributes: Attributes;
  /** Lower-cased headers of an HTTP trigger or a direct invoke, only the keys the propagator reads. */
  headers?: Carrier;
  /** One carrier per queue/topic record, in record order (absent entries for records that carry none). */
  messages?: (Carrier | undefined)[];
  /** Per record, the X-Ray header its producer sent (SQS `attributes.AWSTraceHeader`), in record order. */
  xray?: (string | undefined)[];
  /** API Gateway HTTP API / Function URL: a result without `statusCode` still means 200. */
  inferStatus200?: boolean;
  /** An authorizer's answer is a policy or `isAuthorized`, never an HTTP response: no status code from it. */
  authorizer?: boolean;
}

export function lastArnPart(arn: unknown): string | undefined {
  const s = str(arn);
  return s?.slice(s.lastIndexOf(':') + 1) || undefined;
}
