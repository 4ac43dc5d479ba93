/**
 * Decodes OTLP trace export requests, in either encoding, into one flat span shape that tests
 * can assert on without knowing which encoding the exporter used.
 *
 * The protobuf side is a hand-rolled wire-format reader instead of protobufjs + the official
 * .proto files because those files live in ../shared, which users' clones do not have; the
 * handful of messages a trace export needs fit on a page. test/otlp-schema.test.ts checks this
 * reader against the official schema wherever ../shared is present.
 */

export type AttrValue =
  | string
  | number
  | boolean
  | null
  | AttrValue[]
  | { [k: string]: AttrValue }
  | Uint8Array;

export type SpanKindName = 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED';
export type StatusCodeName = 'UNSET' | 'OK' | 'ERROR';

export interface ReceivedEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Record<string, AttrValue>;
}

export interface ReceivedLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Record<string, AttrValue>;
}

export interface ReceivedSpan {
  /** Lowercase hex. */
  traceId: string;
  spanId: string;
  /** Undefined for root spans. */
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: SpanKindName;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  durationMs: number;
  attributes: Record<string, AttrValue>;
  events: ReceivedEvent[];
  links: ReceivedLink[];
  status: { code: StatusCodeName; message?: string };
  resource: Record<string, AttrValue>;
  scope: { name: string; version?: string };
  droppedAttributesCount: number;
}

export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

// Index = the enum number on the wire (same numbers in both encodings).
const SPAN_KINDS: readonly SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODES: readonly StatusCodeName[] = ['UNSET', 'OK', 'ERROR'];

/** 'json' | 'protobuf' for the two OTLP/HTTP content types, undefined otherwise. */
export function otlpEncodingOf(contentType: string | undefined): 'json' | 'protobuf' | undefined {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime === 'application/json') return 'json';
  if (mime === 'application/x-protobuf' || mime === 'application/protobuf') return 'protobuf';
  return undefined;
}

/** Decodes an (already decompressed) ExportTraceServiceRequest body. Throws OtlpDecodeError. */
export function decodeTraceRequest(body: Uint8Array, contentType: string): ReceivedSpan[] {
  const encoding = otlpEncodingOf(contentType);
  if (encoding === 'json') return decodeJsonTraces(body);
  if (encoding === 'protobuf') return decodeProtobufTraces(body);
  throw new OtlpDecodeError(`unsupported content type ${JSON.stringify(contentType)}`);
}

// ---------------------------------------------------------------------------------------------
// Shared assembly: both decoders produce the same intermediate pieces.

interface SpanParts {
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

function toReceivedSpan(
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

function enumName<T extends string>(names: readonly T[], n: number, what: string): T {
  const name = names[n];
  if (name === undefined) throw new OtlpDecodeError(`unknown ${what} ${n}`);
  return name;
}

/** int64 attribute values: numbers while exact, decimal strings beyond 2^53 rather than lose digits. */
function int64Value(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// OTLP/JSON: protobuf JSON mapping with lowerCamelCase keys, except that trace/span ids are hex
// (not base64) and enums are integers. int64 may arrive as a string or a number; both are accepted,
// as are enum names, because senders differ and the spec asks receivers to be lenient there.

type Json = unknown;

/** Decodes an OTLP/JSON ExportTraceServiceRequest (text, bytes or an already-parsed object). */
export function decodeJsonTraces(input: string | Uint8Array | object): ReceivedSpan[] {
  let root: Json = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    try {
      root = JSON.parse(text);
    } catch (err) {
      throw new OtlpDecodeError(`body is not JSON: ${(err as Error).message}`);
    }
  }
  const spans: ReceivedSpan[] = [];
  const request = jObject(root, '$');
  jArray(request['resourceSpans'], '$.resourceSpans').forEach((rsJson, i) => {
    const path = `$.resourceSpans[${i}]`;
    const rs = jObject(rsJson, path);
    const resource = jAttributes(jOptObject(rs['resource'], `${path}.resource`)['attributes'], `${path}.resource.attributes`);
    jArray(rs['scopeSpans'], `${path}.scopeSpans`).forEach((ssJson, j) => {
      const sPath = `${path}.scopeSpans[${j}]`;
      const ss = jObject(ssJson, sPath);
      const scopeJson = jOptObject(ss['scope'], `${sPath}.scope`);
      const scope = {
        name: jString(scopeJson['name'], `${sPath}.scope.name`),
        version: jString(scopeJson['version'], `${sPath}.scope.version`),
      };
      jArray(ss['spans'], `${sPath}.spans`).forEach((spanJson, k) => {
        spans.push(toReceivedSpan(jSpan(spanJson, `${sPath}.spans[${k}]`), resource, scope));
      });
    });
  });
  return spans;
}

function jSpan(v: Json, path: string): SpanParts {
  const s = jObject(v, path);
  const status = jOptObject(s['status'], `${path}.status`);
  return {
    traceId: jId(s['traceId'], 16, `${path}.traceId`),
    spanId: jId(s['spanId'], 8, `${path}.spanId`),
    parentSpanId: jId(s['parentSpanId'], 8, `${path}.parentSpanId`, true),
    traceState: jString(s['traceState'], `${path}.traceState`),
    name: jString(s['name'], `${path}.name`),
    kind: jEnum(s['kind'], SPAN_KINDS, 'SPAN_KIND_', `${path}.kind`),
    start: jUint64(s['startTimeUnixNano'], `${path}.startTimeUnixNano`),
    end: jUint64(s['endTimeUnixNano'], `${path}.endTimeUnixNano`),
    attributes: jAttributes(s['attributes'], `${path}.attributes`),
    droppedAttributesCount: Number(jUint64(s['droppedAttributesCount'], `${path}.droppedAttributesCount`)),
    events: jArray(s['events'], `${path}.events`).map((ev, i) => {
      const e = jObject(ev, `${path}.events[${i}]`);
      return {
        name: jString(e['name'], `${path}.events[${i}].name`),
        timeUnixNano: jUint64(e['timeUnixNano'], `${path}.events[${i}].timeUnixNano`),
        attributes: jAttributes(e['attributes'], `${path}.events[${i}].attributes`),
      };
    }),
    links: jArray(s['links'], `${path}.links`).map((lv, i) => {
      const l = jObject(lv, `${path}.links[${i}]`);
      const link: ReceivedLink = {
        traceId: jId(l['traceId'], 16, `${path}.links[${i}].traceId`),
        spanId: jId(l['spanId'], 8, `${path}.links[${i}].spanId`),
        attributes: jAttributes(l['attributes'], `${path}.links[${i}].attributes`),
      };
      const traceState = jString(l['traceState'], `${path}.links[${i}].traceState`);
      if (traceState) link.traceState = traceState;
      return link;
    }),
    statusCode: jEnum(status['code'], STATUS_CODES, 'STATUS_CODE_', `${path}.status.code`),
    statusMessage: jString(status['message'], `${path}.status.message`),
  };
}

function jAttributes(v: Json, path: string): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  jArray(v, path).forEach((kvJson, i) => {
    const kv = jObject(kvJson, `${path}[${i}]`);
    out[jString(kv['key'], `${path}[${i}].key`)] = jAnyValue(kv['value'], `${path}[${i}].value`);
  });
  return out;
}

function jAnyValue(v: Json, path: string): AttrValue {
  const a = jOptObject(v, path);
  if (a['stringValue'] !== undefined) return jString(a['stringValue'], `${path}.stringValue`);
  if (a['boolValue'] !== undefined) {
    if (typeof a['boolValue'] !== 'boolean') throw bad(path, 'boolValue must be a boolean');
    return a['boolValue'];
  }
  if (a['intValue'] !== undefined) return int64Value(jInt64(a['intValue'], `${path}.intValue`));
  if (a['doubleValue'] !== undefined) return jDouble(a['doubleValue'], `${path}.doubleValue`);
  if (a['arrayValue'] !== undefined) {
    const values = jOptObject(a['arrayValue'], `${path}.arrayValue`)['values'];
    return jArray(values, `${path}.arrayValue.values`).map((x, i) => jAnyValue(x, `${path}.arrayValue.values[${i}]`));
  }
  if (a['kvlistValue'] !== undefined) {
    return jAttributes(jOptObject(a['kvlistValue'], `${path}.kvlistValue`)['values'], `${path}.kvlistValue.values`);
  }
  if (a['bytesValue'] !== undefined) {
    return Uint8Array.from(Buffer.from(jString(a['bytesValue'], `${path}.bytesValue`), 'base64'));
  }
  return null;
}

function bad(path: string, what: string): OtlpDecodeError {
  return new OtlpDecodeError(`${path}: ${what}`);
}

function jObject(v: Json, path: string): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(path, 'expected an object');
  return v as Record<string, Json>;
}

/** Absent (or null) message fields read as an empty message. */
function jOptObject(v: Json, path: string): Record<string, Json> {
  return v === undefined || v === null ? {} : jObject(v, path);
}

function jArray(v: Json, path: string): Json[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(path, 'expected an array');
  return v;
}

function jString(v: Json, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw bad(path, 'expected a string');
  return v;
}

function jId(v: Json, bytes: number, path: string, optional = false): string {
  const s = jString(v, path);
  if (s === '' && optional) return '';
  if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(s)) {
    throw bad(path, `expected ${bytes * 2} hex digits (OTLP/JSON ids are hex, not base64), got ${JSON.stringify(v)}`);
  }
  return s.toLowerCase();
}

function jInt64(v: Json, path: string): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw bad(path, `expected an integer or decimal string, got ${JSON.stringify(v)}`);
}

function jUint64(v: Json, path: string): bigint {
  if (v === undefined || v === null) return 0n;
  const n = jInt64(v, path);
  if (n < 0n) throw bad(path, 'expected an unsigned integer');
  return n;
}

function jDouble(v: Json, path: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw bad(path, `expected a number, got ${JSON.stringify(v)}`);
}

function jEnum(v: Json, names: readonly string[], prefix: string, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const i = names.indexOf(v.startsWith(prefix) ? v.slice(prefix.length) : v);
    if (i >= 0) return i;
  }
  throw bad(path, `expected an enum number, got ${JSON.stringify(v)}`);
}
