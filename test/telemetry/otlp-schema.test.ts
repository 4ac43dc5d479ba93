/**
 * Holds tools/otlp/, and the real exporters' output, to the official OTLP schema
 * (opentelemetry-proto in ../shared/otlp-proto, read with protobufjs): protobuf bodies must decode
 * and verify as ExportTraceServiceRequest, JSON bodies must be OTLP/JSON, and our decoder must see
 * exactly what the official schema sees.
 *
 * Clones without ../shared get one passing test that says the check did not run; CI must have it.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { createExporter } from '../../src/telemetry/exporter.js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJsonTraces, decodeProtobufTraces } from '../../tools/otlp/index.ts';
import type { ReceivedSpan } from '../../tools/otlp/index.ts';
import {
  decodeJsonWithOfficialSchema,
  decodeWithOfficialSchema,
  OFFICIAL_OTLP_PROTO_DIR,
  officialRequestType,
  officialSchemaAvailable,
  otlpJsonShapeProblems,
  spansFromOfficial,
} from '../support/official-otlp.ts';
import { spanTree, startOtlpReceiver } from '../support/receiver.ts';
import type { OtlpReceiver } from '../support/receiver.ts';

if (!officialSchemaAvailable()) {
  it('official OTLP schema check', () => {
    if (process.env.CI) {
      throw new Error(`${OFFICIAL_OTLP_PROTO_DIR} not found and CI is set: CI must run the official-schema check (check out opentelemetry-proto there)`);
    }
    console.warn('../shared/otlp-proto not found: official-schema check skipped on this clone');
  });
} else {
  describe('official OTLP schema', () => {
    const LINKED: SpanContext = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      traceState: new TraceState('vendor=linked'),
    };
    const REMOTE: SpanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState('congo=t61rcWkgMzE'),
    };

    let receiver: OtlpReceiver;
    let jsonBodies: Buffer[];
    let protoBodies: Buffer[];
    const SPAN_NAMES = ['chat', 'consume', 'handler', 'publish', 'tool'];

    // One provider feeding both exporters, so both encodings carry the very same spans.
    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      // The exporter the library ships, in both of its protocols: what users' collectors will decode.
      const exporters = (['http/json', 'http/protobuf'] as const).map((protocol) =>
        createExporter({ endpoint: receiver.tracesUrl, protocol, exportTimeoutMs: 2000 }),
      );
      const provider = new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'schema-check', 'faas.max_memory': 512 }),
        spanProcessors: exporters.map((exporter) => new BatchSpanProcessor({ exporter, scheduledDelayMillis: 20 })),
      });
      const tracer = provider.getTracer('schema-test', '0.0.1');
      const under = (span: Parameters<typeof trace.setSpan>[1]) => trace.setSpan(ROOT_CONTEXT, span);

      const handler = tracer.startSpan(
        'handler',
        {
          kind: SpanKind.SERVER,
          attributes: {
            s: 'text ✓',
            i: 42,
            neg: -3,
            wide: 2 ** 45,
            d: 0.125,
            t: true,
            f: false,
            ss: ['a', 'b'],
            is: [1, 2, 3],
            ds: [0.5, 1.5],
            bs: [false, true],
            bytes: Uint8Array.of(0, 255),
            kv: { k: 'v', n: 1, inner: { list: [1, 'x'] } },
            empty: [],
          },
        },
        trace.setSpanContext(ROOT_CONTEXT, REMOTE),
      );
      handler.addEvent('checkpoint', { step: 'load', n: 2, ok: true, ratio: 0.5, tags: ['x', 'y'] });
      const publish = tracer.startSpan('publish', { kind: SpanKind.PRODUCER }, under(handler));
      publish.end();
      const chat = tracer.startSpan(
        'chat',
        { kind: SpanKind.CLIENT, links: [{ context: LINKED, attributes: { why: 'retry', attempt: 2 } }, { context: publish.spanContext() }] },
        under(handler),
      );
      tracer.startSpan('tool', {}, under(chat)).end();
      chat.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 500' });
      chat.end();
      tracer.startSpan('consume', { kind: SpanKind.CONSUMER }, under(handler)).end();
      handler.setStatus({ code: SpanStatusCode.OK });
      handler.end();

      await provider.forceFlush();
      await receiver.waitForSpans(SPAN_NAMES.length * 2);
      await provider.shutdown();
      jsonBodies = receiver.requests.filter((r) => r.contentType.startsWith('application/json')).map((r) => r.body);
      protoBodies = receiver.requests.filter((r) => r.contentType.startsWith('application/x-protobuf')).map((r) => r.body);
    });
    afterAll(() => receiver?.close());

    const sorted = (spans: ReceivedSpan[]) => [...spans].sort((a, b) => a.name.localeCompare(b.name));

    it('the exporters sent both encodings', () => {
      expect(jsonBodies.length).toBeGreaterThan(0);
      expect(protoBodies.length).toBeGreaterThan(0);
      expect(receiver.requests.every((r) => r.status === 200)).toBe(true);
    });

    it('protobuf bodies decode as ExportTraceServiceRequest and verify()', () => {
      const type = officialRequestType();
      for (const body of protoBodies) {
        expect(type.verify(type.decode(body))).toBeNull();
        expect(() => decodeWithOfficialSchema(body)).not.toThrow();
      }
    });

    it('our protobuf decoder sees exactly what the official schema sees', () => {
      const ours = protoBodies.flatMap((b) => decodeProtobufTraces(b));
      const official = protoBodies.flatMap((b) => spansFromOfficial(decodeWithOfficialSchema(b)));
      expect(ours.map((s) => s.name).sort()).toEqual(SPAN_NAMES);
      expect(ours).toEqual(official);

      // Spot checks, so that agreeing on nothing cannot pass.
      const chat = official.find((s) => s.name === 'chat')!;
      const handler = official.find((s) => s.name === 'handler')!;
      expect(handler.parentSpanId).toBe(REMOTE.spanId);
      expect(handler.traceId).toBe(REMOTE.traceId);
      expect(handler.traceState).toBe('congo=t61rcWkgMzE');
      expect(handler.kind).toBe('SERVER');
      expect(handler.attributes).toMatchObject({ i: 42, neg: -3, wide: 2 ** 45, d: 0.125, bytes: Uint8Array.of(0, 255) });
      expect(handler.events[0]).toMatchObject({ name: 'checkpoint', attributes: { step: 'load', tags: ['x', 'y'] } });
      expect(chat.parentSpanId).toBe(handler.spanId);
      expect(chat.status).toEqual({ code: 'ERROR', message: 'upstream 500' });
      expect(chat.links[0]).toEqual({ traceId: LINKED.traceId, spanId: LINKED.spanId, traceState: 'vendor=linked', attributes: { why: 'retry', attempt: 2 } });
      expect(handler.resource).toMatchObject({ 'service.name': 'schema-check', 'faas.max_memory': 512 });
      expect(handler.scope).toEqual({ name: 'schema-test', version: '0.0.1' });
    });

    it('JSON bodies are OTLP/JSON: schema field names, hex ids, integer enums', () => {
      for (const body of jsonBodies) expect(otlpJsonShapeProblems(JSON.parse(body.toString('utf8')))).toEqual([]);
    });

    it('our JSON decoder sees what the official schema sees, and the same spans as the protobuf export', () => {
      const ours = jsonBodies.flatMap((b) => decodeJsonTraces(b));
      const official = jsonBodies.flatMap((b) => spansFromOfficial(decodeJsonWithOfficialSchema(JSON.parse(b.toString('utf8')))));
      expect(ours.map((s) => s.name).sort()).toEqual(SPAN_NAMES);
      expect(ours).toEqual(official);
      const fromProto = protoBodies.flatMap((b) => spansFromOfficial(decodeWithOfficialSchema(b)));
      expect(sorted(official), spanTree(official)).toEqual(sorted(fromProto));
    });

    it('our protobuf decoder handles what this exporter never sends (extremes, nesting, unknown fields)', () => {
      const type = officialRequestType();
      const id = (hex: string) => Buffer.from(hex, 'hex');
      const kv = (key: string, value: object) => ({ key, value });
      const message = type.fromObject({
        resourceSpans: [
          {
            resource: {
              attributes: [kv('service.name', { stringValue: 'edge' })],
              droppedAttributesCount: 3,
              entityRefs: [{ type: 'service', idKeys: ['service.name'] }],
            },
            schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
            scopeSpans: [
              {
                scope: { name: 'edge-scope', version: '9', attributes: [kv('scope.attr', { stringValue: 'x' })], droppedAttributesCount: 1 },
                schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
                spans: [
                  {
                    traceId: id('ffffffffffffffffffffffffffffffff'),
                    spanId: id('0000000000000001'),
                    parentSpanId: id('8000000000000000'),
                    traceState: 'a=b',
                    flags: 0x301,
                    name: 'edge ✓',
                    kind: 5,
                    startTimeUnixNano: '1',
                    endTimeUnixNano: '18446744073709551615',
                    attributes: [
                      kv('max', { intValue: '9223372036854775807' }),
                      kv('min', { intValue: '-9223372036854775808' }),
                      kv('minus1', { intValue: '-1' }),
                      kv('safe', { intValue: String(Number.MAX_SAFE_INTEGER) }),
                      kv('nan', { doubleValue: NaN }),
                      kv('negzero', { doubleValue: -0 }),
                      kv('nobytes', { bytesValue: Buffer.alloc(0) }),
                      kv('unset', {}),
                      kv('nested', {
                        arrayValue: {
                          values: [{ arrayValue: { values: [{ boolValue: true }] } }, { kvlistValue: { values: [kv('deep', { intValue: '7' })] } }],
                        },
                      }),
                      kv('dup', { stringValue: 'first' }),
                      kv('dup', { stringValue: 'last' }),
                    ],
                    droppedAttributesCount: 4294967295,
                    events: [{ timeUnixNano: '2', name: 'e', droppedAttributesCount: 2 }],
                    droppedEventsCount: 5,
                    links: [{ traceId: id('01'.repeat(16)), spanId: id('02'.repeat(8)), traceState: 'l=1', droppedAttributesCount: 1, flags: 1 }],
                    droppedLinksCount: 7,
                    status: { code: 2, message: 'bad' },
                  },
                  { traceId: id('ab'.repeat(16)), spanId: id('cd'.repeat(8)), name: 'bare' },
                ],
              },
            ],
          },
          { scopeSpans: [{ spans: [{ traceId: id('12'.repeat(16)), spanId: id('34'.repeat(8)), name: 'no-resource', kind: 3 }] }] },
        ],
      });
      expect(type.verify(message)).toBeNull();
      const body = Buffer.from(type.encode(message).finish());

      const ours = decodeProtobufTraces(body);
      expect(ours).toEqual(spansFromOfficial(decodeWithOfficialSchema(body)));
      const [edge, bare, noResource] = ours;
      expect(edge).toMatchObject({
        traceId: 'f'.repeat(32),
        parentSpanId: '8000000000000000',
        kind: 'CONSUMER',
        startTimeUnixNano: 1n,
        endTimeUnixNano: 18446744073709551615n,
        droppedAttributesCount: 4294967295,
        resource: { 'service.name': 'edge' },
        scope: { name: 'edge-scope', version: '9' },
        status: { code: 'ERROR', message: 'bad' },
        links: [{ traceId: '01'.repeat(16), spanId: '02'.repeat(8), traceState: 'l=1', attributes: {} }],
        events: [{ name: 'e', timeUnixNano: 2n, attributes: {} }],
      });
      expect(edge!.attributes).toEqual({
        max: '9223372036854775807',
        min: '-9223372036854775808',
        minus1: -1,
        safe: Number.MAX_SAFE_INTEGER,
        nan: NaN,
        negzero: -0,
        nobytes: new Uint8Array(),
        unset: null,
        nested: [[true], { deep: 7 }],
        dup: 'last',
      });
      expect(bare).toEqual({
        traceId: 'ab'.repeat(16),
        spanId: 'cd'.repeat(8),
        name: 'bare',
        kind: 'UNSPECIFIED',
        startTimeUnixNano: 0n,
        endTimeUnixNano: 0n,
        durationMs: 0,
        attributes: {},
        events: [],
        links: [],
        status: { code: 'UNSET' },
        resource: { 'service.name': 'edge' },
        scope: { name: 'edge-scope', version: '9' },
        droppedAttributesCount: 0,
      } satisfies ReceivedSpan);
      expect(noResource).toMatchObject({ name: 'no-resource', kind: 'CLIENT', resource: {}, scope: { name: '' } });
    });

    it('the official checks reject what is not OTLP (so passing them means something)', () => {
      expect(() => decodeWithOfficialSchema(Buffer.from([0x0a, 0x05, 0x01]))).toThrow();
      const span = { traceId: Buffer.alloc(16, 1).toString('base64'), spanId: '0102030405060708', kind: 'SPAN_KIND_SERVER', start_time_unix_nano: '1' };
      expect(otlpJsonShapeProblems({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] })).toEqual([
        expect.stringMatching(/spans\[0\]\.traceId: expected 32 hex digits/),
        expect.stringMatching(/spans\[0\]\.kind: enum must be an integer/),
        expect.stringMatching(/spans\[0\]\.start_time_unix_nano: no such field in Span/),
      ]);
      expect(otlpJsonShapeProblems({ resource_spans: [] })).toEqual([expect.stringMatching(/no such field/)]);
    });
  });
}
