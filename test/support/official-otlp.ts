/**
 * The official OTLP schema (opentelemetry-proto, checked out next to this repo in ../shared) as a
 * reference decoder, to hold tools/otlp/ and the exporters' output to the real thing.
 * Users' clones have no ../shared: check officialSchemaAvailable() first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { AttrValue, ReceivedSpan, SpanKindName } from '../../tools/otlp/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OFFICIAL_OTLP_PROTO_DIR = path.resolve(repoRoot, '..', 'shared', 'otlp-proto');
const ENTRY = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';
const REQUEST_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';

/** How decoded messages are turned into plain objects: int64 as decimal strings, enums as numbers, bytes as Buffers, `value` naming the set oneof member. */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, arrays: true, oneofs: true };

export function officialSchemaAvailable(): boolean {
  return fs.existsSync(path.join(OFFICIAL_OTLP_PROTO_DIR, ENTRY));
}

let root: protobuf.Root | undefined;

/** The loaded schema (field names camelCased, as protobufjs does by default). */
export function officialOtlpRoot(): protobuf.Root {
  if (root) return root;
  if (!officialSchemaAvailable()) throw new Error(`official OTLP schema not found at ${OFFICIAL_OTLP_PROTO_DIR}`);
  const r = new protobuf.Root();
  // Imports name files relative to the proto root ("opentelemetry/proto/common/v1/common.proto").
  r.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(OFFICIAL_OTLP_PROTO_DIR, target));
  r.loadSync(ENTRY);
  r.resolveAll();
  root = r;
  return r;
}

export function officialRequestType(): protobuf.Type {
  return officialOtlpRoot().lookupType(REQUEST_TYPE);
}

/** Decodes a protobuf ExportTraceServiceRequest with the official schema; throws if it does not decode or verify. */
export function decodeWithOfficialSchema(body: Buffer): unknown {
  const type = officialRequestType();
  const message = type.decode(body);
  const problem = type.verify(message);
  if (problem) throw new Error(`official schema: ExportTraceServiceRequest.verify() failed: ${problem}`);
  return type.toObject(message, TO_OBJECT);
}

const HEX_ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * Reads an OTLP/JSON ExportTraceServiceRequest through the official schema: ids go from hex (the
 * one OTLP/JSON departure from the protobuf JSON mapping) to bytes, then fromObject + verify.
 * Returns the same plain-object shape as decodeWithOfficialSchema().
 */
export function decodeJsonWithOfficialSchema(json: unknown): unknown {
  const type = officialRequestType();
  const message = type.fromObject(mapHexIds(json) as Record<string, unknown>);
  const problem = type.verify(message);
  if (problem) throw new Error(`official schema: ExportTraceServiceRequest.verify() failed: ${problem}`);
  return type.toObject(message, TO_OBJECT);
}

function mapHexIds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(mapHexIds);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = HEX_ID_FIELDS.has(k) && typeof x === 'string' ? Buffer.from(x, 'hex') : mapHexIds(x);
  }
  return out;
}

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);

/**
 * Everything in an OTLP/JSON request that the official schema + OTLP/JSON rules reject: unknown or
 * snake_case keys, ids that are not lowercase-or-uppercase hex of the right length, enums that are
 * not integers, int64 that is neither an integer nor a decimal string, and so on. Empty = valid.
 */
export function otlpJsonShapeProblems(json: unknown): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, type: protobuf.Type, at: string) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${at}: expected an object for ${type.name}`);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      const field = type.fields[key];
      if (!field) {
        problems.push(`${at}.${key}: no such field in ${type.name}`);
        continue;
      }
      if (v === null) continue;
      const items = field.repeated ? (Array.isArray(v) ? v : (problems.push(`${at}.${key}: expected an array`), [])) : [v];
      for (const [i, item] of items.entries()) {
        const where = field.repeated ? `${at}.${key}[${i}]` : `${at}.${key}`;
        const rt = field.resolvedType;
        if (rt instanceof protobuf.Type) {
          walk(item, rt, where);
          continue;
        }
        if (rt instanceof protobuf.Enum) {
          if (!Number.isInteger(item)) problems.push(`${where}: enum must be an integer in OTLP/JSON, got ${JSON.stringify(item)}`);
          continue;
        }
        const ok = scalarOk(field.type, key, item);
        if (ok !== true) problems.push(`${where}: ${ok}, got ${JSON.stringify(item)}`);
      }
    }
  };
  walk(json, officialRequestType(), '$');
  return problems;
}

function scalarOk(protoType: string, key: string, v: unknown): true | string {
  if (protoType === 'bytes') {
    if (HEX_ID_FIELDS.has(key)) {
      const len = key === 'traceId' ? 32 : 16;
      return typeof v === 'string' && (v === '' || new RegExp(`^[0-9a-fA-F]{${len}}$`).test(v)) ? true : `expected ${len} hex digits`;
    }
    return typeof v === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(v) ? true : 'expected base64';
  }
  if (protoType === 'string') return typeof v === 'string' ? true : 'expected a string';
  if (protoType === 'bool') return typeof v === 'boolean' ? true : 'expected a boolean';
  if (protoType === 'double' || protoType === 'float') {
    return typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? true : 'expected a number';
  }
  if (INT64_TYPES.has(protoType)) {
    return Number.isInteger(v) || (typeof v === 'string' && /^-?\d+$/.test(v)) ? true : 'expected an integer or decimal string';
  }
  if (INT32_TYPES.has(protoType)) return Number.isInteger(v) ? true : 'expected an integer';
  return `unchecked type ${protoType}`;
}

// ---------------------------------------------------------------------------------------------
// The official decoding, reshaped into ReceivedSpan independently of tools/otlp/, so the
// two can be compared with toEqual.

// The plain objects protobufjs produces are untyped by nature.
type Obj = { [k: string]: any };

const KINDS: SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const CODES = ['UNSET', 'OK', 'ERROR'] as const;

const hexOf = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

function anyValue(v: Obj | undefined): AttrValue {
  switch (v?.['value']) {
    case 'stringValue':
      return v['stringValue'];
    case 'boolValue':
      return v['boolValue'];
    case 'intValue': {
      const n = BigInt(v['intValue']);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
    }
    case 'doubleValue':
      return v['doubleValue'];
    case 'arrayValue':
      return ((v['arrayValue'].values ?? []) as Obj[]).map(anyValue);
    case 'kvlistValue':
      return attrs(v['kvlistValue'].values);
    case 'bytesValue':
      return Uint8Array.from(v['bytesValue']);
    default:
      return null;
  }
}

function attrs(kvs: Obj[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of kvs ?? []) out[kv['key'] ?? ''] = anyValue(kv['value']);
  return out;
}

/** ReceivedSpan[] from decodeWithOfficialSchema() / decodeJsonWithOfficialSchema() output. */
export function spansFromOfficial(decoded: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of ((decoded as Obj)['resourceSpans'] ?? []) as Obj[]) {
    const resource = attrs(rs['resource']?.attributes);
    for (const ss of (rs['scopeSpans'] ?? []) as Obj[]) {
      const scope: ReceivedSpan['scope'] = { name: ss['scope']?.name ?? '' };
      if (ss['scope']?.version) scope.version = ss['scope'].version;
      for (const s of (ss['spans'] ?? []) as Obj[]) {
        const start = BigInt(s['startTimeUnixNano'] ?? 0);
        const end = BigInt(s['endTimeUnixNano'] ?? 0);
        const span: ReceivedSpan = {
          traceId: hexOf(s['traceId']),
          spanId: hexOf(s['spanId']),
          name: s['name'] ?? '',
          kind: KINDS[s['kind'] ?? 0]!,
          startTimeUnixNano: start,
          endTimeUnixNano: end,
          durationMs: Number(end - start) / 1e6,
          attributes: attrs(s['attributes']),
          events: ((s['events'] ?? []) as Obj[]).map((e) => ({
            name: e['name'] ?? '',
            timeUnixNano: BigInt(e['timeUnixNano'] ?? 0),
            attributes: attrs(e['attributes']),
          })),
          links: ((s['links'] ?? []) as Obj[]).map((l) => ({
            traceId: hexOf(l['traceId']),
            spanId: hexOf(l['spanId']),
            ...(l['traceState'] ? { traceState: l['traceState'] } : {}),
            attributes: attrs(l['attributes']),
          })),
          status: { code: CODES[s['status']?.code ?? 0]! },
          resource,
          scope,
          droppedAttributesCount: s['droppedAttributesCount'] ?? 0,
        };
        if (s['parentSpanId']?.length) span.parentSpanId = hexOf(s['parentSpanId']);
        if (s['traceState']) span.traceState = s['traceState'];
        if (s['status']?.message) span.status.message = s['status'].message;
        out.push(span);
      }
    }
  }
  return out;
}
