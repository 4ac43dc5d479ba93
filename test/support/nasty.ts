/**
 * Hand-written hostile inputs for the bad-input fault suite: values a Lambda event, header set, context or thrown
 * error could be when something upstream is broken or malicious. Each is built fresh by a factory, since some are
 * stateful or huge.
 */
import { TRACEPARENT } from './lambda.js';

const boom = (what: string) => () => {
  throw new Error(`hostile ${what}`);
};

/** A Proxy whose every trap throws; `then` answers undefined when `thenable` is false, so it can be returned from async code. */
export function throwingProxy(opts: { allowThen?: boolean } = {}): object {
  return new Proxy(
    {},
    {
      get: (_t, key) => (opts.allowThen && key === 'then' ? undefined : boom(`get ${String(key)}`)()),
      has: boom('has'),
      ownKeys: boom('ownKeys'),
      getOwnPropertyDescriptor: boom('getOwnPropertyDescriptor'),
      getPrototypeOf: boom('getPrototypeOf'),
      set: boom('set'),
      defineProperty: boom('defineProperty'),
      deleteProperty: boom('deleteProperty'),
      isExtensible: boom('isExtensible'),
      preventExtensions: boom('preventExtensions'),
      setPrototypeOf: boom('setPrototypeOf'),
      apply: boom('apply'),
      construct: boom('construct'),
    },
  );
}

/** A Proxy that is its own every property: `p.a.b.c...` never ends, and it claims one key. */
function bottomlessProxy(): object {
  const p: object = new Proxy(
    {},
    {
      get: (_t, key) => (key === 'then' || key === Symbol.toPrimitive ? undefined : p),
      ownKeys: () => ['a'],
      getOwnPropertyDescriptor: () => ({ value: p, enumerable: true, configurable: true }),
    },
  );
  return p;
}

/** An object whose listed properties throw when read. */
function throwingGetters(keys: string[], base: Record<string, unknown> = {}): Record<string, unknown> {
  const o = { ...base };
  for (const k of keys) Object.defineProperty(o, k, { get: boom(`getter ${k}`), enumerable: true });
  return o;
}

/** A value that cannot be turned into a string or a number. */
const unprintable = () => ({ toString: boom('toString'), valueOf: boom('valueOf'), [Symbol.toPrimitive]: boom('toPrimitive') });

function deep(levels: number, leaf: unknown = TRACEPARENT, key = 'a'): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < levels; i++) v = { [key]: v, traceparent: TRACEPARENT };
  return v;
}

const EVENT_KEYS = [
  'headers',
  'multiValueHeaders',
  'requestContext',
  'Records',
  'httpMethod',
  'version',
  'routeKey',
  'rawPath',
  'path',
  'resource',
  'detail',
  'source',
  'detail-type',
  'body',
  'queryStringParameters',
];

const http = (headers: unknown, extra: Record<string, unknown> = {}) => ({
  version: '2.0',
  routeKey: 'GET /x',
  rawPath: '/x',
  headers,
  requestContext: { http: { method: 'GET', path: '/x' } },
  ...extra,
});
const sqs = (records: unknown) => ({ Records: records });
const sqsRecord = (extra: Record<string, unknown> = {}) => ({
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:1:q',
  messageId: 'm1',
  body: '{}',
  messageAttributes: { traceparent: { stringValue: TRACEPARENT, dataType: 'String' } },
  ...extra,
});

function circularEvent(): unknown {
  const e: Record<string, unknown> = http({ traceparent: TRACEPARENT });
  e.self = e;
  (e.headers as Record<string, unknown>).self = e.headers;
  (e.requestContext as Record<string, unknown>).parent = e;
  return e;
}

function circularRecords(): unknown {
  const r: Record<string, unknown> = sqsRecord();
  r.Sns = r;
  r.messageAttributes = { traceparent: { stringValue: TRACEPARENT, dataType: 'String', self: r } };
  const records: unknown[] = [r];
  records.push(records);
  return { Records: records, detail: r };
}

/** [name, event factory] pairs. */
export const NASTY_EVENTS: [string, () => unknown][] = [
  ['10,000 header keys', () => http(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`x-h-${i}`, `v${i}`])))],
  ['a 1 MiB traceparent', () => http({ traceparent: `00-${'a'.repeat(1 << 20)}-01` })],
  ['a 1 MiB user-agent and host', () => http({ 'user-agent': 'u'.repeat(1 << 20), host: 'h'.repeat(1 << 20), traceparent: TRACEPARENT })],
  [
    '10,000 multi-value traceparents',
    () => ({
      httpMethod: 'GET',
      path: '/x',
      resource: '/x',
      requestContext: {},
      multiValueHeaders: { traceparent: Array.from({ length: 10_000 }, () => TRACEPARENT) },
    }),
  ],
  ['headers nested 100,000 deep', () => http(deep(100_000))],
  ['an event nested 100,000 deep', () => deep(100_000)],
  ['Records nested 100,000 deep', () => sqs([deep(100_000, sqsRecord(), 'messageAttributes')])],
  ['EventBridge detail nested 100,000 deep', () => ({ 'detail-type': 'x', source: 's', detail: deep(100_000, { traceparent: TRACEPARENT }, '_otel') })],
  [
    'a non-JSON body and an SNS envelope that is not JSON',
    () => sqs([sqsRecord({ body: '{"Type":"Notification","Message": \u0000\uffff', messageAttributes: undefined })]),
  ],
  ['binary bodies', () => ({ ...http({}), body: Buffer.from([0, 255, 1, 254]), isBase64Encoded: true })],
  ['an invalid base64 body', () => ({ ...http({}), body: '!!!not base64!!!', isBase64Encoded: true })],
  ['a Buffer event', () => Buffer.from('{"headers":{"traceparent":"x"}}')],
  ['a 10 MiB Uint8Array event', () => new Uint8Array(10 << 20)],
  ['an ArrayBuffer event', () => new ArrayBuffer(64)],
  ['headers of the wrong type: a string', () => http('traceparent: x')],
  ['headers of the wrong type: an array', () => http([TRACEPARENT, 1, null])],
  ['headers of the wrong type: a number', () => http(5)],
  [
    'header values of every wrong type',
    () =>
      http({
        traceparent: 7,
        tracestate: ['a', 'b'],
        baggage: { k: 'v' },
        'user-agent': null,
        host: true,
        'x-forwarded-for': 1n,
        'x-forwarded-port': Symbol('p'),
      }),
  ],
  ['Records of the wrong type', () => ({ Records: 'not records', detail: 7, source: {} })],
  ['Records full of junk', () => sqs([null, 1, 'a', [], {}, sqsRecord({ eventSource: 7, messageAttributes: 'x' })])],
  ['a sparse Records array of a million', () => sqs(Object.assign(new Array(1_000_000), { 3: sqsRecord() }))],
  ['Records that claim a billion entries', () => sqs({ length: 1e9, 0: sqsRecord() })],
  ['10,000 records each with a producer', () => sqs(Array.from({ length: 10_000 }, (_, i) => sqsRecord({ messageId: `m${i}` })))],
  ['requestContext and version of the wrong types', () => ({ version: {}, routeKey: 1, requestContext: [], httpMethod: 42, headers: {} })],
  ['a null-prototype event', () => Object.assign(Object.create(null), http(Object.assign(Object.create(null), { traceparent: TRACEPARENT })))],
  ['a frozen event', () => Object.freeze(http(Object.freeze({ traceparent: TRACEPARENT })))],
  ['getters that throw on every known event field', () => throwingGetters(EVENT_KEYS)],
  ['header getters that throw', () => http(throwingGetters(['traceparent', 'tracestate', 'baggage', 'user-agent', 'host']))],
  ['record getters that throw', () => sqs([throwingGetters(['eventSource', 'eventSourceARN', 'messageAttributes', 'body', 'Sns', 'messageId'])])],
  ['header values that cannot be printed', () => http({ traceparent: unprintable(), 'user-agent': unprintable(), host: unprintable() })],
  ['a Proxy event that throws on every trap', () => throwingProxy()],
  ['Proxy headers that throw on every trap', () => http(throwingProxy())],
  ['a Proxy requestContext', () => ({ version: '2.0', routeKey: 'GET /', headers: {}, requestContext: throwingProxy() })],
  ['Proxy records', () => sqs([throwingProxy(), throwingProxy()])],
  ['a bottomless Proxy event', () => bottomlessProxy()],
  ['bottomless Proxy headers and records', () => ({ ...http(bottomlessProxy()), Records: [bottomlessProxy()] })],
  ['a circular event', circularEvent],
  ['circular records', circularRecords],
  ...([
    ['a number', () => 42],
    ['a string', () => 'string'],
    ['null', () => null],
    ['undefined', () => undefined],
    ['a bigint', () => 1n],
    ['a symbol', () => Symbol('e')],
    ['a function with headers', () => Object.assign(() => 1, { headers: { traceparent: TRACEPARENT } })],
    ['an invalid Date', () => new Date(NaN)],
    ['a Map', () => new Map([['headers', {}]])],
    ['an Error', () => Object.assign(new Error('e'), { headers: { traceparent: TRACEPARENT } })],
  ] as [string, () => unknown][]),
  ['a pending promise', () => new Promise(() => {})],
];

/** Lambda context objects that are broken in every way a context can be. */
export const NASTY_CONTEXTS: [string, () => unknown][] = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['an empty object', () => ({})],
  ['a Proxy that throws on every trap', () => throwingProxy()],
  ['getters that throw', () => throwingGetters(['awsRequestId', 'functionName', 'invokedFunctionArn', 'xRayTraceId', 'getRemainingTimeInMillis'])],
  ['getRemainingTimeInMillis that throws', () => ({ awsRequestId: 'r', getRemainingTimeInMillis: boom('remaining') })],
  ['getRemainingTimeInMillis of every wrong kind', () => ({ awsRequestId: 'r', getRemainingTimeInMillis: () => 'soon' })],
  ['a negative and a NaN deadline', () => ({ awsRequestId: 'r', getRemainingTimeInMillis: () => -5 })],
  [
    'fields that cannot be printed',
    () => ({ awsRequestId: unprintable(), functionName: unprintable(), invokedFunctionArn: unprintable(), xRayTraceId: unprintable() }),
  ],
  ['fields of the wrong types', () => ({ awsRequestId: 7, functionName: [], invokedFunctionArn: {}, xRayTraceId: 5, getRemainingTimeInMillis: 'x' })],
  ['a huge X-Ray header', () => ({ awsRequestId: 'r', xRayTraceId: `Root=1-${'a'.repeat(1 << 20)};Parent=1;Sampled=1` })],
];

/** Values a handler may throw that our telemetry cannot inspect. */
export const NASTY_THROWABLES: [string, () => unknown][] = [
  ['a Proxy that throws on every trap', () => throwingProxy({ allowThen: true })],
  [
    'an Error whose message, name, stack and constructor throw',
    () => {
      const e = new Error('x');
      for (const k of ['message', 'name', 'stack', 'constructor', 'code']) Object.defineProperty(e, k, { get: boom(k) });
      return e;
    },
  ],
  ['an object that cannot be printed', unprintable],
  ['a null-prototype object', () => Object.create(null)],
  ['a symbol', () => Symbol('thrown')],
  ['undefined', () => undefined],
  ['null', () => null],
];
