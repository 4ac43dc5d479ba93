/** Shared assembly: both decoders produce the same intermediate pieces, turned into a ReceivedSpan here. */
import { OtlpDecodeError } from './types.ts';
import type { AttrValue, ReceivedEvent, ReceivedLink, ReceivedSpan, SpanKindName, StatusCodeName } from './types.ts';

// Index = the enum number on the wire (same numbers in both encodings).
export const SPAN_KINDS: readonly SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
export const STATUS_CODES: readonly StatusCodeName[] = ['UNSET', 'OK', 'ERROR'];

export interface SpanParts {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  attributes: Record<string, AttrValue>;
  droppedAttributesCount: number;
  events: ReceivedEvent[];
  links: ReceivedLink[];
  statusCode: number;
  statusMessage: string;
}

export function toReceivedSpan(
  p: SpanParts,
  resource: Record<string, AttrValue>,
  scope: { name: string; version: string },
): ReceivedSpan {
  const span: ReceivedSpan = {
    traceId: p.traceId,
    spanId: p.spanId,
    name: p.name,
    kind: enumName(SPAN_KINDS, p.kind, 'span kind'),
    startTimeUnixNano: p.start,
    endTimeUnixNano: p.end,
    durationMs: Number(p.end - p.start) / 1e6,
    attributes: p.attributes,
    events: p.events,
    links: p.links,
    status: { code: enumName(STATUS_CODES, p.statusCode, 'status code') },
    resource,
    scope: { name: scope.name },
    droppedAttributesCount: p.droppedAttributesCount,
  };
  // Empty means absent in proto3, so both encodings map "" to undefined.
  if (p.parentSpanId) span.parentSpanId = p.parentSpanId;
  if (p.traceState) span.traceState = p.traceState;
  if (p.statusMessage) span.status.message = p.statusMessage;
  if (scope.version) span.scope.version = scope.version;
  return span;
}

export function enumName<T extends string>(names: readonly T[], n: number, what: string): T {
  const name = names[n];
  if (name === undefined) throw new OtlpDecodeError(`unknown ${what} ${n}`);
  return name;
}

/** int64 attribute values: numbers while exact, decimal strings beyond 2^53 rather than lose digits. */
export function int64Value(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
