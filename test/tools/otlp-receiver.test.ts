/**
 * tools/otlp/ against the real OpenTelemetry SDK and the real OTLP/HTTP exporters (JSON
 * and protobuf), over loopback: every span field must survive both encodings, and every receiver
 * mode must look to the exporter like the failure it imitates.
 */
import http from 'node:http';
import net from 'node:net';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import { ExportResultCode, TraceState } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it, onTestFinished } from 'vitest';
import { byName, decodeJsonTraces, decodeProtobufTraces, OtlpDecodeError, spanTree, startOtlpReceiver } from '../support/receiver.ts';
import type { OtlpReceiver, ReceivedSpan } from '../support/receiver.ts';

// ---------------------------------------------------------------------------------------------
// Harness

type ExporterConfig = NonNullable<ConstructorParameters<typeof JsonExporter>[0]>;
const GZIP = 'gzip' as ExporterConfig['compression'];

const ENCODINGS = [
  { name: 'json', contentType: 'application/json', Exporter: JsonExporter },
  { name: 'protobuf', contentType: 'application/x-protobuf', Exporter: ProtoExporter },
] as const;
type Encoding = (typeof ENCODINGS)[number];

async function receiverForTest(): Promise<OtlpReceiver> {
  const receiver = await startOtlpReceiver();
  onTestFinished(() => receiver.close());
  return receiver;
}

function exporterForTest(enc: Encoding, receiver: OtlpReceiver, config: ExporterConfig = {}): SpanExporter {
  const exporter = new enc.Exporter({ url: receiver.tracesUrl, timeoutMillis: 2000, ...config });
  onTestFinished(() => exporter.shutdown());
  return exporter;
}

function exportVia(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** Finished SDK spans named `names` (one trace, first is the root), for driving an exporter directly. */
function probeSpans(...names: string[]): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('probe');
  const root = tracer.startSpan(names[0] ?? 'probe');
  for (const name of names.slice(1)) tracer.startSpan(name, {}, trace.setSpan(ROOT_CONTEXT, root)).end();
  root.end();
  return memory.getFinishedSpans();
}

/** Resolves once `cond` holds (polling), failing the test with `what` after `ms`. */
async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** POSTs an empty body with node:http; resolves with "status <code>" or "error <code>". */
function plainPost(url: string, contentType: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': contentType }, agent: false }, (res) => {
      res.resume();
      resolve(`status ${res.statusCode}`);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
    req.end();
  });
}

/** `promise`, or a rejection naming `what` if it takes longer than `ms`. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const names = (spans: readonly ReceivedSpan[]) => spans.map((s) => s.name).sort();

// ---------------------------------------------------------------------------------------------
// The fixture: one trace under a remote parent exercising every field, plus a separate root.

const T0 = 1_700_000_000;
/** An HrTime `ms` after T0, with an odd nanosecond tail so truncation to µs or ms would show. */
const at = (ms: number): HrTime => [T0 + Math.floor(ms / 1000), (ms % 1000) * 1_000_000 + 17];
const nanos = (t: HrTime): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

const REMOTE_PARENT: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: new TraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
};
const LINKED: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  traceState: new TraceState('vendor=linked'),
};

/** One of every attribute value type the SDK accepts on a span. */
const ALL_TYPES: Attributes = {
  str: 'héllo ✓',
  'str.empty': '',
  int: 42,
  'int.negative': -7,
  'int.wide': 2 ** 40 + 1,
  double: 3.25,
  'double.negative': -0.5,
  'bool.true': true,
  'bool.false': false,
  'str[]': ['a', '', 'c'],
  'int[]': [1, -2, 3],
  'double[]': [1.5, 2.25],
  'bool[]': [true, false],
  'empty[]': [],
  bytes: Uint8Array.of(0, 1, 254, 255),
  kvlist: { a: 1, b: 'x', nested: { ok: true } },
  'mixed[]': ['a', 1, true],
};
const OVERFLOW_LIMIT = 64;
const SPAN_COUNT = 6;

function emitFixture(provider: TracerProvider) {
  const tracer = provider.getTracer('otlp-receiver-test', '1.2.3');
  const under = (span: { spanContext(): SpanContext }) => trace.setSpan(ROOT_CONTEXT, span as never);
  const ctx = (sc: SpanContext) => trace.setSpanContext(ROOT_CONTEXT, sc);

  const invocation = tracer.startSpan('invocation', { kind: SpanKind.SERVER, startTime: at(0), attributes: ALL_TYPES }, ctx(REMOTE_PARENT));
  invocation.addEvent('cold-start', { 'init.ms': 120.5, phase: 'init', attempt: 1, flags: [true, false] }, at(1));
  invocation.addEvent('ready', undefined, at(2));

  const enqueue = tracer.startSpan('enqueue', { kind: SpanKind.PRODUCER, startTime: at(5) }, under(invocation));
  enqueue.end(at(6));

  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      startTime: at(10),
      attributes: { 'gen_ai.system': 'openai', 'gen_ai.usage.input_tokens': 12 },
      links: [{ context: LINKED, attributes: { 'link.reason': 'retry-of', 'link.attempt': 2 } }, { context: enqueue.spanContext() }],
    },
    under(invocation),
  );
  chat.recordException(new TypeError('boom'), at(300));
  chat.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited (429)' });

  const parse = tracer.startSpan('parse', { startTime: at(301) }, under(chat));
  parse.end(at(302));
  chat.end(at(310));

  const consume = tracer.startSpan('consume', { kind: SpanKind.CONSUMER, startTime: at(320) }, under(invocation));
  consume.end(at(330));
  invocation.setStatus({ code: SpanStatusCode.OK });
  invocation.end(at(1500));

  // A second trace, from a scope without a version, with more attributes than the limit.
  const overflowAttrs: Attributes = {};
  for (let i = 0; i < OVERFLOW_LIMIT + 6; i++) overflowAttrs[`k${String(i).padStart(2, '0')}`] = i;
  const overflow = provider
    .getTracer('unversioned-scope')
    .startSpan('overflow', { root: true, startTime: at(2000), attributes: overflowAttrs }, ctx(REMOTE_PARENT));
  overflow.end(at(2001));

  const id = (s: { spanContext(): SpanContext }) => s.spanContext().spanId;
  return {
    traceId: invocation.spanContext().traceId,
    overflowTraceId: overflow.spanContext().traceId,
    ids: { invocation: id(invocation), enqueue: id(enqueue), chat: id(chat), parse: id(parse), consume: id(consume), overflow: id(overflow) },
  };
}

function newProvider(processor: SpanProcessor): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fixture-svc', 'cloud.provider': 'aws', 'faas.max_memory': 1024 }),
    spanLimits: { attributeCountLimit: OVERFLOW_LIMIT },
    spanProcessors: [processor],
  });
}

function assertFixture(spans: ReceivedSpan[], fx: ReturnType<typeof emitFixture>): void {
  expect(spans, spanTree(spans)).toHaveLength(SPAN_COUNT);
  expect(spanTree(spans)).toBe(
    [
      'invocation [SERVER] OK (parent b7ad6b7169203331 not received)',
      '  enqueue [PRODUCER] UNSET',
      '  chat gpt-4o [CLIENT] ERROR: rate limited (429)',
      '    parse [INTERNAL] UNSET',
      '  consume [CONSUMER] UNSET',
      'overflow [INTERNAL] UNSET',
    ].join('\n'),
  );

  const resource = { 'service.name': 'fixture-svc', 'cloud.provider': 'aws', 'faas.max_memory': 1024 };
  const scope = { name: 'otlp-receiver-test', version: '1.2.3' };
  const traceState = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';
  const common = { traceId: fx.traceId, traceState, resource, scope, droppedAttributesCount: 0, links: [], events: [] };

  expect(fx.traceId).toBe(REMOTE_PARENT.traceId);
  expect(byName(spans, 'invocation')).toEqual({
    ...common,
    spanId: fx.ids.invocation,
    parentSpanId: REMOTE_PARENT.spanId,
    name: 'invocation',
    kind: 'SERVER',
    startTimeUnixNano: 1_700_000_000_000_000_017n,
    endTimeUnixNano: 1_700_000_001_500_000_017n,
    durationMs: 1500,
    attributes: {
      str: 'héllo ✓',
      'str.empty': '',
      int: 42,
      'int.negative': -7,
      'int.wide': 2 ** 40 + 1,
      double: 3.25,
      'double.negative': -0.5,
      'bool.true': true,
      'bool.false': false,
      'str[]': ['a', '', 'c'],
      'int[]': [1, -2, 3],
      'double[]': [1.5, 2.25],
      'bool[]': [true, false],
      'empty[]': [],
      bytes: Uint8Array.of(0, 1, 254, 255),
      kvlist: { a: 1, b: 'x', nested: { ok: true } },
      'mixed[]': ['a', 1, true],
    },
    events: [
      { name: 'cold-start', timeUnixNano: nanos(at(1)), attributes: { 'init.ms': 120.5, phase: 'init', attempt: 1, flags: [true, false] } },
      { name: 'ready', timeUnixNano: nanos(at(2)), attributes: {} },
    ],
    status: { code: 'OK' },
  } satisfies ReceivedSpan);

  const chat = byName(spans, 'chat gpt-4o');
  expect(chat).toEqual({
    ...common,
    spanId: fx.ids.chat,
    parentSpanId: fx.ids.invocation,
    name: 'chat gpt-4o',
    kind: 'CLIENT',
    startTimeUnixNano: nanos(at(10)),
    endTimeUnixNano: nanos(at(310)),
    durationMs: 300,
    attributes: { 'gen_ai.system': 'openai', 'gen_ai.usage.input_tokens': 12 },
    events: [
      {
        name: 'exception',
        timeUnixNano: nanos(at(300)),
        attributes: { 'exception.type': 'TypeError', 'exception.message': 'boom', 'exception.stacktrace': expect.stringContaining('TypeError: boom') },
      },
    ],
    links: [
      { traceId: LINKED.traceId, spanId: LINKED.spanId, traceState: 'vendor=linked', attributes: { 'link.reason': 'retry-of', 'link.attempt': 2 } },
      { traceId: fx.traceId, spanId: fx.ids.enqueue, traceState, attributes: {} },
    ],
    status: { code: 'ERROR', message: 'rate limited (429)' },
  } satisfies ReceivedSpan);

  for (const [name, kind, parent, start, end] of [
    ['enqueue', 'PRODUCER', fx.ids.invocation, 5, 6],
    ['parse', 'INTERNAL', fx.ids.chat, 301, 302],
    ['consume', 'CONSUMER', fx.ids.invocation, 320, 330],
  ] as const) {
    expect(byName(spans, name)).toEqual({
      ...common,
      spanId: fx.ids[name],
      parentSpanId: parent,
      name,
      kind,
      startTimeUnixNano: nanos(at(start)),
      endTimeUnixNano: nanos(at(end)),
      durationMs: end - start,
      attributes: {},
      status: { code: 'UNSET' },
    } satisfies ReceivedSpan);
  }

  const overflow = byName(spans, 'overflow');
  expect(overflow.traceId).toBe(fx.overflowTraceId);
  expect(overflow.traceId).not.toBe(fx.traceId);
  expect(overflow.spanId).toBe(fx.ids.overflow);
  expect(overflow.parentSpanId).toBeUndefined();
  expect(overflow).not.toHaveProperty('parentSpanId');
  expect(overflow).not.toHaveProperty('traceState');
  expect(overflow.scope).toEqual({ name: 'unversioned-scope' });
  expect(Object.keys(overflow.attributes)).toHaveLength(OVERFLOW_LIMIT);
  expect(overflow.attributes['k00']).toBe(0);
  expect(overflow.droppedAttributesCount).toBe(6);
  expect(overflow.status).toEqual({ code: 'UNSET' });

  for (const s of spans) expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
}

// ---------------------------------------------------------------------------------------------

describe.each(ENCODINGS)('$name encoding', (enc) => {
  it.each([
    { processor: 'SimpleSpanProcessor', make: (exporter: SpanExporter) => new SimpleSpanProcessor({ exporter }) },
    { processor: 'BatchSpanProcessor', make: (exporter: SpanExporter) => new BatchSpanProcessor({ exporter, scheduledDelayMillis: 20 }) },
  ])('decodes every field the SDK sends through a $processor', async ({ make }) => {
    const receiver = await receiverForTest();
    const provider = newProvider(make(exporterForTest(enc, receiver)));
    const fx = emitFixture(provider);
    await provider.forceFlush();
    const spans = await receiver.waitForSpans(SPAN_COUNT);
    await provider.shutdown();

    assertFixture(spans, fx);
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const r of receiver.requests) {
      expect(r.contentType).toContain(enc.contentType);
      expect(r.status).toBe(200);
      expect(r.path).toBe('/v1/traces');
    }
  });

  it('accepts gzip-compressed requests', async () => {
    const receiver = await receiverForTest();
    const result = await exportVia(exporterForTest(enc, receiver, { compression: GZIP }), probeSpans('zipped', 'inner'));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(receiver.requests.map((r) => r.contentEncoding)).toEqual(['gzip']);
    expect(names(receiver.spans)).toEqual(['inner', 'zipped']);
    expect(byName(receiver.spans, 'inner').parentSpanId).toBe(byName(receiver.spans, 'zipped').spanId);
  });

  it('answers ok with an empty ExportTraceServiceResponse in the request encoding', async () => {
    const receiver = await receiverForTest();
    const body = enc.name === 'json' ? '{"resourceSpans":[]}' : new Uint8Array();
    const res = await fetch(receiver.tracesUrl, { method: 'POST', headers: { 'content-type': enc.contentType }, body });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(enc.contentType);
    expect(await res.text()).toBe(enc.name === 'json' ? '{}' : '');
  });

  it('refuse: connections are refused, then ok re-listens on the same port', async () => {
    const receiver = await receiverForTest();
    const exporter = exporterForTest(enc, receiver, { timeoutMillis: 300 });
    const { port } = receiver;

    await receiver.setMode({ kind: 'refuse' });
    expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    const refused = await exportVia(exporter, probeSpans('lost'));
    expect(refused.code).toBe(ExportResultCode.FAILED);
    expect(refused.error?.message).toMatch(/ECONNREFUSED/);
    expect(receiver.requests).toHaveLength(0);

    await receiver.setMode({ kind: 'ok' });
    expect(await connectOutcome(port)).toBe('connected');
    const delivered = await exportVia(exporter, probeSpans('delivered'));
    expect(delivered.code).toBe(ExportResultCode.SUCCESS);
    expect(receiver.port).toBe(port);
    expect(names(receiver.spans)).toEqual(['delivered']);
  });

  it('reset: the request is read, then the connection is reset without an answer', async () => {
    const receiver = await receiverForTest();
    await receiver.setMode({ kind: 'reset' });
    const result = await exportVia(exporterForTest(enc, receiver, { timeoutMillis: 300 }), probeSpans('lost'));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const r of receiver.requests) {
      expect(r.status).toBe('reset');
      expect(r.body.length).toBeGreaterThan(0);
    }
    expect(receiver.spans).toEqual([]);
  });

  it('hang: the export does not complete; close() ends the hung request', async () => {
    const receiver = await startOtlpReceiver();
    onTestFinished(() => receiver.close());
    await receiver.setMode({ kind: 'hang' });
    let result: ExportResult | undefined;
    const exported = exportVia(exporterForTest(enc, receiver, { timeoutMillis: 1000 }), probeSpans('lost')).then((r) => (result = r));
    // A plain client with no timeout of its own, so only close() can end its request.
    const plain = plainPost(receiver.tracesUrl, enc.contentType);

    await until(() => receiver.requests.length === 2, 'both hung requests to arrive');
    await new Promise((r) => setTimeout(r, 300));
    expect(result).toBeUndefined();
    expect(receiver.requests.map((r) => r.status)).toEqual(['hung', 'hung']);

    await within(3000, receiver.close(), 'close()');
    expect(await within(3000, plain, 'the hung request to end')).toMatch(/^error /);
    await exported;
    expect(result!.code).toBe(ExportResultCode.FAILED);
    expect(receiver.spans).toEqual([]);
    expect(await connectOutcome(receiver.port)).toBe('ECONNREFUSED');
  });

  it('hang: switching mode answers the hung request per the new mode', async () => {
    const receiver = await receiverForTest();
    await receiver.setMode({ kind: 'hang' });
    const exported = exportVia(exporterForTest(enc, receiver, { timeoutMillis: 5000 }), probeSpans('held'));
    await until(() => receiver.requests.length === 1, 'the hung request to arrive');
    expect(receiver.spans).toEqual([]);

    await receiver.setMode({ kind: 'ok' });
    expect((await exported).code).toBe(ExportResultCode.SUCCESS);
    expect(receiver.requests.map((r) => r.status)).toEqual([200]);
    expect(names(receiver.spans)).toEqual(['held']);
  });

  it('delay: answers 200 after the delay', async () => {
    const receiver = await receiverForTest();
    await receiver.setMode({ kind: 'delay', ms: 300 });
    const started = Date.now();
    const result = await exportVia(exporterForTest(enc, receiver), probeSpans('slow'));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(names(receiver.spans)).toEqual(['slow']);
    expect(receiver.requests.map((r) => r.status)).toEqual([200]);
  });

  it('delay past the exporter timeout: the export fails and no spans are recorded', async () => {
    const receiver = await receiverForTest();
    await receiver.setMode({ kind: 'delay', ms: 500 });
    const result = await exportVia(exporterForTest(enc, receiver, { timeoutMillis: 150 }), probeSpans('too-slow'));
    expect(result.code).toBe(ExportResultCode.FAILED);
    // Past the point the delayed answer would have been written:
    await expect(receiver.waitForSpans(1, 800)).rejects.toThrow(
      /timed out after 800ms waiting for at least 1 span\(s\); 0 span\(s\) received; 1 request\(s\) \(statuses: hung\)/,
    );
    expect(receiver.spans).toEqual([]);
  });

  it.each([503, 400])('status %i: the export fails and no spans are recorded', async (code) => {
    const receiver = await receiverForTest();
    await receiver.setMode({ kind: 'status', code });
    const result = await exportVia(exporterForTest(enc, receiver, { timeoutMillis: 300 }), probeSpans('rejected'));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(receiver.requests.length).toBeGreaterThan(0);
    // 400 is not retryable; 503 is, but not within a 300ms budget (backoff starts at ~1s).
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.status).toBe(code);
    expect(receiver.requests[0]!.body.length).toBeGreaterThan(0);
    expect(receiver.spans).toEqual([]);
  });
});

describe('receiver', () => {
  it('status 429 with Retry-After: the exporter retries after it, and only the accepted attempt counts', async () => {
    const receiver = await receiverForTest();
    await receiver.setMode({ kind: 'status', code: 429, retryAfterSeconds: 1 });
    const exported = exportVia(exporterForTest(ENCODINGS[0], receiver, { timeoutMillis: 5000 }), probeSpans('retried'));
    await until(() => receiver.requests.length === 1, 'the first attempt');
    await receiver.setMode({ kind: 'ok' });

    expect((await exported).code).toBe(ExportResultCode.SUCCESS);
    const [first, second] = receiver.requests;
    expect([first?.status, second?.status]).toEqual([429, 200]);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    expect(names(receiver.spans)).toEqual(['retried']);
  });

  it('status 2xx other than 200 still counts as received', async () => {
    const receiver = await receiverForTest();
    await receiver.setMode({ kind: 'status', code: 202 });
    const result = await exportVia(exporterForTest(ENCODINGS[1], receiver), probeSpans('accepted'));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(names(receiver.spans)).toEqual(['accepted']);
  });

  it('exports the same SDK spans identically in both encodings', async () => {
    const memory = new InMemorySpanExporter();
    const provider = newProvider(new SimpleSpanProcessor({ exporter: memory }));
    const fx = emitFixture(provider);
    const sdkSpans = memory.getFinishedSpans();
    const receiver = await receiverForTest();

    const decoded: ReceivedSpan[][] = [];
    for (const enc of ENCODINGS) {
      receiver.clear();
      expect((await exportVia(exporterForTest(enc, receiver), sdkSpans)).code).toBe(ExportResultCode.SUCCESS);
      expect(receiver.requests).toHaveLength(1);
      decoded.push([...receiver.spans]);
    }
    const [json, proto] = decoded;
    assertFixture(json!, fx);
    expect(proto).toEqual(json);
  });

  it('answers 404 for unknown paths, 405 for other methods, 415 for other content types, 413 for huge bodies', async () => {
    const receiver = await receiverForTest();
    const post = (path: string, body: string | Uint8Array, contentType = 'application/json') =>
      fetch(receiver.url + path, { method: 'POST', headers: { 'content-type': contentType }, body });

    expect((await post('/v1/metrics', '{}')).status).toBe(404);
    expect((await post('/', '{}')).status).toBe(404);
    expect((await fetch(receiver.tracesUrl)).status).toBe(405);
    expect((await post('/v1/traces', 'x', 'text/plain')).status).toBe(415);
    expect((await post('/v1/traces', new Uint8Array(16 * 1024 * 1024 + 1), 'application/x-protobuf')).status).toBe(413);
    expect(receiver.requests.map((r) => [r.path, r.status])).toEqual([
      ['/v1/metrics', 404],
      ['/', 404],
      ['/v1/traces', 405],
      ['/v1/traces', 415],
      ['/v1/traces', 413],
    ]);
    expect(receiver.spans).toEqual([]);
  });

  it('answers 400 with the reason for bodies that do not decode, and records no spans', async () => {
    const receiver = await receiverForTest();
    const post = (body: string | Uint8Array, contentType: string) =>
      fetch(receiver.tracesUrl, { method: 'POST', headers: { 'content-type': contentType }, body });

    const base64Ids = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'AAECAwQFBgcICQoLDA0ODw==', spanId: 'AAECAwQFBgc=', name: 'x' }] }] }] };
    const badJson = await post(JSON.stringify(base64Ids), 'application/json');
    expect(badJson.status).toBe(400);
    expect(await badJson.text()).toMatch(/traceId: expected 32 hex digits \(OTLP\/JSON ids are hex, not base64\)/);
    expect((await post('{not json', 'application/json')).status).toBe(400);
    expect((await post(Uint8Array.of(0x0a, 0x05, 0x01), 'application/x-protobuf')).status).toBe(400);
    expect(receiver.requests.map((r) => r.status)).toEqual([400, 400, 400]);
    expect(receiver.spans).toEqual([]);
  });

  it('waitForSpans, onSpans and clear', async () => {
    const receiver = await receiverForTest();
    const batches: string[][] = [];
    receiver.onSpans = (batch) => batches.push(names(batch));
    const exporter = exporterForTest(ENCODINGS[1], receiver);

    const waiting = receiver.waitForSpans((spans) => spans.some((s) => s.name === 'second'));
    await exportVia(exporter, probeSpans('first'));
    await exportVia(exporter, probeSpans('second', 'child'));
    expect(names(await waiting)).toEqual(['child', 'first', 'second']);
    expect(batches).toEqual([['first'], ['child', 'second']]);

    // Already satisfied: resolves at once, with a snapshot.
    const snapshot = await receiver.waitForSpans(2, 50);
    expect(snapshot).not.toBe(receiver.spans);
    expect(snapshot).toHaveLength(3);

    const spansRef = receiver.spans;
    receiver.clear();
    expect(receiver.spans).toBe(spansRef);
    expect(receiver.spans).toEqual([]);
    expect(receiver.requests).toEqual([]);
    await expect(receiver.waitForSpans(1, 50)).rejects.toThrow(/timed out after 50ms.*0 span\(s\) received; 0 request\(s\)/);

    await exportVia(exporter, probeSpans('third'));
    await expect(receiver.waitForSpans(5, 50)).rejects.toThrow(/1 span\(s\) received \(names: "third"\); 1 request\(s\) \(statuses: 200\)/);
  });

  it('close() is idempotent and rejects pending waiters', async () => {
    const receiver = await startOtlpReceiver();
    const waiting = receiver.waitForSpans(1, 10_000);
    await Promise.all([receiver.close(), receiver.close()]);
    await expect(waiting).rejects.toThrow(/closed while waiting/);
    await receiver.close();
    expect(await connectOutcome(receiver.port)).toBe('ECONNREFUSED');
    await expect(receiver.setMode({ kind: 'ok' })).rejects.toThrow(/after close/);
  });

  it('close() works while refusing', async () => {
    const receiver = await startOtlpReceiver();
    await receiver.setMode({ kind: 'refuse' });
    await receiver.close();
    expect(await connectOutcome(receiver.port)).toBe('ECONNREFUSED');
  });

  it('spanTree and byName make failures readable', () => {
    expect(() => byName([], 'missing')).toThrow(/no span named "missing" among 0 span\(s\):\n\(no spans\)/);
  });
});

describe('decoders', () => {
  const span = (extra: object) => ({
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0AF7651916CD43DD8448EB211C80319C', spanId: 'B7AD6B7169203331', name: 's', ...extra }] }] }],
  });

  it('OTLP/JSON: accepts what the spec allows beyond what the JS exporter emits', () => {
    const [s] = decodeJsonTraces(
      JSON.stringify(
        span({
          kind: 'SPAN_KIND_CLIENT',
          startTimeUnixNano: 1000,
          endTimeUnixNano: '3000000',
          parentSpanId: '',
          status: { code: 2 },
          attributes: [
            { key: 'big', value: { intValue: '9007199254740993' } },
            { key: 'neg', value: { intValue: '-9223372036854775808' } },
            { key: 'nan', value: { doubleValue: 'NaN' } },
            { key: 'inf', value: { doubleValue: '-Infinity' } },
            { key: 'unset', value: {} },
            { key: 'novalue' },
            { key: 'b64', value: { bytesValue: 'AAH+/w==' } },
          ],
        }),
      ),
    );
    expect(s).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      kind: 'CLIENT',
      startTimeUnixNano: 1000n,
      endTimeUnixNano: 3_000_000n,
      durationMs: 2.999,
      status: { code: 'ERROR' },
      scope: { name: '' },
      resource: {},
      attributes: {
        big: '9007199254740993',
        neg: '-9223372036854775808',
        nan: NaN,
        inf: -Infinity,
        unset: null,
        novalue: null,
        b64: Uint8Array.of(0, 1, 254, 255),
      },
    });
    expect(s).not.toHaveProperty('parentSpanId');
  });

  it('OTLP/JSON: rejects malformed ids and values with the JSON path', () => {
    expect(() => decodeJsonTraces(span({ spanId: 'b7ad' }))).toThrow(/\$\.resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.spanId: expected 16 hex digits/);
    expect(() => decodeJsonTraces(span({ kind: 'SIDEWAYS' }))).toThrow(OtlpDecodeError);
    expect(() => decodeJsonTraces(span({ attributes: [{ key: 'x', value: { intValue: 1.5 } }] }))).toThrow(/intValue/);
    expect(() => decodeJsonTraces({ resourceSpans: {} })).toThrow(/\$\.resourceSpans: expected an array/);
  });

  it('protobuf: skips unknown fields and rejects truncated input', async () => {
    const receiver = await receiverForTest();
    await exportVia(exporterForTest(ENCODINGS[1], receiver), probeSpans('root', 'child'));
    const body = receiver.requests[0]!.body;
    const reference = decodeProtobufTraces(body);
    expect(names(reference)).toEqual(['child', 'root']);

    // Field 99 as a varint, then as a length-delimited blob, appended to the request.
    const withUnknown = Buffer.concat([body, Buffer.from([0x98, 0x06, 0x2a, 0x9a, 0x06, 0x02, 0xff, 0xff])]);
    expect(decodeProtobufTraces(withUnknown)).toEqual(reference);
    expect(() => decodeProtobufTraces(body.subarray(0, body.length - 3))).toThrow(OtlpDecodeError);
  });
});
