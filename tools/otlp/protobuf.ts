/** OTLP/protobuf: a hand-rolled wire-format reader for the handful of messages a trace export needs. */
import { hex, int64Value, toReceivedSpan } from './span.ts';
import type { SpanParts } from './span.ts';
import { OtlpDecodeError } from './types.ts';
import type { AttrValue, ReceivedEvent, ReceivedLink, ReceivedSpan } from './types.ts';

// Protobuf. Field numbers are from opentelemetry-proto (trace.proto, common.proto, resource.proto,
// trace_service.proto); unknown fields are skipped, as proto3 requires.

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

interface WireField {
  no: number;
  wire: number;
  /** varint value, or the raw bytes of an I64 / LEN / I32 field. */
  data: bigint | Uint8Array;
}

function* wireFields(buf: Uint8Array): Generator<WireField> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new OtlpDecodeError('truncated varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new OtlpDecodeError('varint longer than 10 bytes');
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || pos + n > buf.length) throw new OtlpDecodeError('field runs past the end of its message');
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < buf.length) {
    const tag = varint();
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new OtlpDecodeError('field number 0');
    switch (wire) {
      case WIRE_VARINT: yield { no, wire, data: varint() }; break;
      case WIRE_I64: yield { no, wire, data: take(8) }; break;
      case WIRE_LEN: yield { no, wire, data: take(Number(varint())) }; break;
      case WIRE_I32: yield { no, wire, data: take(4) }; break;
      default: throw new OtlpDecodeError(`unsupported wire type ${wire} (field ${no})`);
    }
  }
}

function expectWire(f: WireField, wire: number): void {
  if (f.wire !== wire) throw new OtlpDecodeError(`field ${f.no}: wire type ${f.wire}, expected ${wire}`);
}
const pbVarint = (f: WireField): bigint => (expectWire(f, WIRE_VARINT), f.data as bigint);
const pbBytes = (f: WireField): Uint8Array => (expectWire(f, WIRE_LEN), f.data as Uint8Array);
const pbString = (f: WireField): string => Buffer.from(pbBytes(f)).toString('utf8');
const pbUint32 = (f: WireField): number => Number(BigInt.asUintN(32, pbVarint(f)));
const pbEnum = (f: WireField): number => Number(BigInt.asIntN(32, pbVarint(f)));
const pbFixed64 = (f: WireField): bigint => {
  expectWire(f, WIRE_I64);
  const b = f.data as Uint8Array;
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
};
const pbDouble = (f: WireField): number => {
  expectWire(f, WIRE_I64);
  const b = f.data as Uint8Array;
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
};

/** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 } */
export function decodeProtobufTraces(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const f of wireFields(body)) if (f.no === 1) pbResourceSpans(pbBytes(f), spans);
  return spans;
}

/** ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 } */
function pbResourceSpans(buf: Uint8Array, out: ReceivedSpan[]): void {
  const resource: Record<string, AttrValue> = {};
  const scopeSpans: Uint8Array[] = [];
  for (const f of wireFields(buf)) {
    if (f.no === 1) {
      // Resource { repeated KeyValue attributes = 1 }
      for (const r of wireFields(pbBytes(f))) if (r.no === 1) pbKeyValue(pbBytes(r), resource);
    } else if (f.no === 2) {
      scopeSpans.push(pbBytes(f));
    }
  }
  // The resource may follow its scope_spans on the wire, so spans are built once it is known.
  for (const ss of scopeSpans) pbScopeSpans(ss, resource, out);
}

/** ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2 } */
function pbScopeSpans(buf: Uint8Array, resource: Record<string, AttrValue>, out: ReceivedSpan[]): void {
  const scope = { name: '', version: '' };
  const spans: SpanParts[] = [];
  for (const f of wireFields(buf)) {
    if (f.no === 1) {
      // InstrumentationScope { string name = 1; string version = 2 }
      for (const s of wireFields(pbBytes(f))) {
        if (s.no === 1) scope.name = pbString(s);
        else if (s.no === 2) scope.version = pbString(s);
      }
    } else if (f.no === 2) {
      spans.push(pbSpan(pbBytes(f)));
    }
  }
  for (const p of spans) out.push(toReceivedSpan(p, resource, scope));
}

function pbSpan(buf: Uint8Array): SpanParts {
  const p: SpanParts = {
    traceId: '', spanId: '', parentSpanId: '', traceState: '', name: '', kind: 0, start: 0n, end: 0n,
    attributes: {}, droppedAttributesCount: 0, events: [], links: [], statusCode: 0, statusMessage: '',
  };
  for (const f of wireFields(buf)) {
    switch (f.no) {
      case 1: p.traceId = hex(pbBytes(f)); break;
      case 2: p.spanId = hex(pbBytes(f)); break;
      case 3: p.traceState = pbString(f); break;
      case 4: p.parentSpanId = hex(pbBytes(f)); break;
      case 5: p.name = pbString(f); break;
      case 6: p.kind = pbEnum(f); break;
      case 7: p.start = pbFixed64(f); break;
      case 8: p.end = pbFixed64(f); break;
      case 9: pbKeyValue(pbBytes(f), p.attributes); break;
      case 10: p.droppedAttributesCount = pbUint32(f); break;
      case 11: p.events.push(pbEvent(pbBytes(f))); break;
      case 13: p.links.push(pbLink(pbBytes(f))); break;
      case 15:
        // Status { string message = 2; StatusCode code = 3 }
        for (const s of wireFields(pbBytes(f))) {
          if (s.no === 2) p.statusMessage = pbString(s);
          else if (s.no === 3) p.statusCode = pbEnum(s);
        }
        break;
    }
  }
  return p;
}

/** Span.Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3 } */
function pbEvent(buf: Uint8Array): ReceivedEvent {
  const e: ReceivedEvent = { name: '', timeUnixNano: 0n, attributes: {} };
  for (const f of wireFields(buf)) {
    if (f.no === 1) e.timeUnixNano = pbFixed64(f);
    else if (f.no === 2) e.name = pbString(f);
    else if (f.no === 3) pbKeyValue(pbBytes(f), e.attributes);
  }
  return e;
}

/** Span.Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4 } */
function pbLink(buf: Uint8Array): ReceivedLink {
  const l: ReceivedLink = { traceId: '', spanId: '', attributes: {} };
  let traceState = '';
  for (const f of wireFields(buf)) {
    if (f.no === 1) l.traceId = hex(pbBytes(f));
    else if (f.no === 2) l.spanId = hex(pbBytes(f));
    else if (f.no === 3) traceState = pbString(f);
    else if (f.no === 4) pbKeyValue(pbBytes(f), l.attributes);
  }
  if (traceState) l.traceState = traceState;
  return l;
}

/** KeyValue { string key = 1; AnyValue value = 2 }, added to `into` (a repeated key: last one wins). */
function pbKeyValue(buf: Uint8Array, into: Record<string, AttrValue>): void {
  let key = '';
  let value: AttrValue = null;
  for (const f of wireFields(buf)) {
    if (f.no === 1) key = pbString(f);
    else if (f.no === 2) value = pbAnyValue(pbBytes(f));
  }
  into[key] = value;
}

/**
 * AnyValue { oneof: string_value = 1, bool_value = 2, int_value = 3, double_value = 4,
 * ArrayValue array_value = 5, KeyValueList kvlist_value = 6, bytes_value = 7 }; unset is null.
 */
function pbAnyValue(buf: Uint8Array): AttrValue {
  let value: AttrValue = null;
  for (const f of wireFields(buf)) {
    switch (f.no) {
      case 1: value = pbString(f); break;
      case 2: value = pbVarint(f) !== 0n; break;
      case 3: value = int64Value(BigInt.asIntN(64, pbVarint(f))); break;
      case 4: value = pbDouble(f); break;
      case 5: {
        // ArrayValue { repeated AnyValue values = 1 }
        const items: AttrValue[] = [];
        for (const a of wireFields(pbBytes(f))) if (a.no === 1) items.push(pbAnyValue(pbBytes(a)));
        value = items;
        break;
      }
      case 6: {
        // KeyValueList { repeated KeyValue values = 1 }
        const kv: Record<string, AttrValue> = {};
        for (const a of wireFields(pbBytes(f))) if (a.no === 1) pbKeyValue(pbBytes(a), kv);
        value = kv;
        break;
      }
      case 7: value = Uint8Array.from(pbBytes(f)); break;
    }
  }
  return value;
}
