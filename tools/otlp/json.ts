/** OTLP/JSON: the protobuf JSON mapping, read leniently where senders differ. */
import { int64Value, SPAN_KINDS, STATUS_CODES, toReceivedSpan } from './span.ts';
import type { SpanParts } from './span.ts';
import { OtlpDecodeError } from './types.ts';
import type { AttrValue, ReceivedLink, ReceivedSpan } from './types.ts';

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
