/**
 * Shared setup for the traceOpenAI suites: the four SDK majors, a local OpenAI-compatible server, an OTLP
 * receiver, and `invoke()`, which runs a function inside a `withLlmTracing` handler and returns the spans of
 * that one invocation (the wrapper flushes before it resolves).
 */
import { DiagLogLevel, diag } from '@opentelemetry/api';
import OpenAI4 from 'openai4';
import OpenAI5 from 'openai5';
import OpenAI6 from 'openai6';
import OpenAI7 from 'openai7';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { shutdownTracing, traceOpenAI, withLlmTracing, type OpenAITracingOptions } from '../../src/index.js';
import { startOpenAIServer, type OpenAIServer } from '../../tools/openai-server/index.ts';
import { lambdaContext, lambdaEnv } from './lambda.js';
import { spanTree, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './receiver.js';

// The majors' static types are incompatible; the suites drive them through one loose shape.
export type AnyClient = any;

export interface Major {
  name: string;
  version: number;
  OpenAI: (new (opts: Record<string, unknown>) => AnyClient) & Record<string, any>;
  /** Where chat parse/stream live: `beta.chat.completions` in v4, `chat.completions` from v5. */
  chatHelpers: (c: AnyClient) => AnyClient;
  midStreamReset: { ctor: string; message: RegExp };
}

export const MAJORS: Major[] = [
  {
    name: 'openai4',
    version: 4,
    OpenAI: OpenAI4 as any,
    chatHelpers: (c) => c.beta.chat.completions,
    midStreamReset: { ctor: 'Error', message: /^Premature close$/ },
  },
  {
    name: 'openai5',
    version: 5,
    OpenAI: OpenAI5 as any,
    chatHelpers: (c) => c.chat.completions,
    midStreamReset: { ctor: 'TypeError', message: /^terminated$/ },
  },
  {
    name: 'openai6',
    version: 6,
    OpenAI: OpenAI6 as any,
    chatHelpers: (c) => c.chat.completions,
    midStreamReset: { ctor: 'TypeError', message: /^terminated$/ },
  },
  {
    name: 'openai7',
    version: 7,
    OpenAI: OpenAI7 as any,
    chatHelpers: (c) => c.chat.completions,
    midStreamReset: { ctor: 'TypeError', message: /^terminated$/ },
  },
];

export const API_KEY = 'sk-test-KEYSECRET-4f1b9c';
export const PROMPT = 'Tell me about the PROMPTSECRET-7731 lighthouse keeper.';
export const SYSTEM = 'You are SYSSECRET-19, a terse assistant.';
export const MESSAGES = [{ role: 'user', content: PROMPT }];
export const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, population: { type: 'integer' } },
  required: ['city', 'population'],
  additionalProperties: false,
};

export interface Env {
  server: OpenAIServer;
  receiver: OtlpReceiver;
  /** Warnings the OpenTelemetry API and our `safely()` logged: a span ended twice, telemetry code that threw. */
  warnings: string[];
}

/** Starts the server and receiver and points the exporter at the receiver; call in `beforeAll`, before any handler. */
export async function setup(extraEnv: Record<string, string> = {}): Promise<Env> {
  const receiver = await startOtlpReceiver();
  const server = await startOpenAIServer();
  lambdaEnv(receiver.url, extraEnv);
  const warnings: string[] = [];
  const log = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  diag.setLogger({ error: log, warn: log, info: () => {}, debug: () => {}, verbose: () => {} }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { server, receiver, warnings };
}

export async function teardown(env: Env | undefined): Promise<void> {
  await shutdownTracing();
  await env?.receiver.close();
  await env?.server.close();
}

/** A test file's hooks: servers up before its first handler, the script cleared after each test, all closed at the end. */
export function useOpenAIEnv(set: (env: Env) => void, afterEachTest: () => void = () => {}): void {
  let env: Env | undefined;
  beforeAll(async () => {
    env = await setup();
    set(env);
  });
  afterAll(() => teardown(env));
  afterEach(() => {
    env?.server.clear();
    afterEachTest();
  });
}

export function client(major: Major, env: Env, opts: Record<string, unknown> = {}): AnyClient {
  return new major.OpenAI({ apiKey: API_KEY, baseURL: env.server.url, maxRetries: 0, timeout: 10_000, ...opts });
}

export function traced(major: Major, env: Env, options: OpenAITracingOptions = {}, opts: Record<string, unknown> = {}): AnyClient {
  return traceOpenAI(client(major, env, opts), options);
}

export interface Invocation<T> {
  result: T | undefined;
  error: unknown;
  /** Every span of this invocation's trace. */
  spans: ReceivedSpan[];
  root: ReceivedSpan;
  /** The GenAI spans (children of the invocation span that carry `gen_ai.operation.name`). */
  models: ReceivedSpan[];
  /** HTTP attempt spans of a model span. */
  attempts(model: ReceivedSpan): ReceivedSpan[];
  tree: string;
}

/** Runs `fn` as a Lambda handler wrapped by `withLlmTracing`; never throws (see `error`). Any provider's env will do. */
export async function invoke<T>(env: Pick<Env, 'receiver' | 'warnings'>, fn: () => Promise<T>): Promise<Invocation<T>> {
  env.receiver.clear();
  env.warnings.length = 0;
  const ctx = lambdaContext();
  const handler = withLlmTracing(async () => fn());
  let result: T | undefined;
  let error: unknown;
  try {
    result = (await handler({}, ctx)) as T;
  } catch (e) {
    error = e;
  }
  const root = env.receiver.spans.find((s) => s.attributes['faas.invocation.id'] === ctx.awsRequestId);
  if (!root) throw new Error(`no invocation span received:\n${spanTree(env.receiver.spans)}`);
  const spans = env.receiver.spans.filter((s) => s.traceId === root.traceId);
  const models = spans.filter((s) => s.parentSpanId === root.spanId && s.attributes['gen_ai.operation.name'] !== undefined);
  return {
    result,
    error,
    spans,
    root,
    models,
    attempts: (model) => spans.filter((s) => s.parentSpanId === model.spanId),
    tree: spanTree(spans),
  };
}

/** The one model span of an invocation, checked to be a CLIENT child of the invocation span. */
export function onlyModel(inv: Invocation<unknown>): ReceivedSpan {
  expect(inv.models, inv.tree).toHaveLength(1);
  const span = inv.models[0]!;
  expect(span.kind).toBe('CLIENT');
  expect(span.parentSpanId).toBe(inv.root.spanId);
  return span;
}

/** Everything an exporter sent for these spans, as one string: names, attributes, events, status, resource. */
export function exported(spans: readonly ReceivedSpan[]): string {
  return JSON.stringify(
    spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, resource: s.resource, links: s.links })),
    (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
  );
}

/** No span ended twice, no telemetry code failed. */
export function expectCleanTelemetry(env: Pick<Env, 'warnings'>): void {
  expect(env.warnings.filter((w) => /ended Span|lambda-llm-tracing/.test(w))).toEqual([]);
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const VOLATILE = new Set(['id', 'created', 'created_at', 'item_id', 'call_id', 'response_id', 'completed_at']);
/** A response with its random ids and timestamps blanked, for comparing a traced call with an untraced one. */
export function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (k, v) => (VOLATILE.has(k) && v !== null ? '<volatile>' : v));
}

/** The wall clock as OpenTelemetry reads it, in ns, to compare with span times. */
export const nowNs = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
