/**
 * Shared setup for the traceAnthropic suites: the three SDK lines, the local Anthropic-compatible server and an
 * OTLP receiver. Invocations run through `invoke()` from the OpenAI support (it needs only the receiver).
 */
import { DiagLogLevel, diag } from '@opentelemetry/api';
import Anthropic03 from 'anthropic03';
import Anthropic05 from 'anthropic05';
import Anthropic1 from 'anthropic1';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { shutdownTracing, traceAnthropic, type AnthropicTracingOptions } from '../../src/index.js';
import { startAnthropicServer, type AnthropicServer } from '../../tools/anthropic-server/index.ts';
import { lambdaEnv } from './lambda.js';
import { startOtlpReceiver, type OtlpReceiver } from './receiver.js';

// The lines' static types are incompatible; the suites drive them through one loose shape.
export type AnyClient = any;

export interface Line {
  name: string;
  Anthropic: (new (opts: Record<string, unknown>) => AnyClient) & Record<string, any>;
  /** What a reset in the middle of an SSE body reads (node-fetch in 0.3x, undici later). */
  midStreamReset: RegExp;
}

export const LINES: Line[] = [
  { name: 'anthropic03', Anthropic: Anthropic03 as any, midStreamReset: /^Premature close$/ },
  { name: 'anthropic05', Anthropic: Anthropic05 as any, midStreamReset: /^terminated$/ },
  { name: 'anthropic1', Anthropic: Anthropic1 as any, midStreamReset: /^terminated$/ },
];

export const API_KEY = 'sk-ant-test-KEYSECRET-77a1';
export const MODEL = 'claude-sonnet-4-5';
export const DATED_MODEL = 'claude-sonnet-4-5-20250929';
export const PROMPT = 'Tell me about the PROMPTSECRET-7731 lighthouse keeper.';
export const SYSTEM = 'You are SYSSECRET-19, a terse assistant.';
export const MESSAGES = [{ role: 'user', content: PROMPT }];
export const WEATHER = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

export interface AnthropicEnv {
  server: AnthropicServer;
  receiver: OtlpReceiver;
  warnings: string[];
}

/** Servers up before the file's first handler, faults cleared after each test, all closed at the end. */
export function useAnthropicEnv(set: (env: AnthropicEnv) => void, extraEnv: Record<string, string> = {}): void {
  let env: AnthropicEnv | undefined;
  beforeAll(async () => {
    const receiver = await startOtlpReceiver();
    const server = await startAnthropicServer();
    lambdaEnv(receiver.url, extraEnv);
    const warnings: string[] = [];
    const log = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
    diag.setLogger(
      { error: log, warn: log, info: () => {}, debug: () => {}, verbose: () => {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    env = { server, receiver, warnings };
    set(env);
  });
  afterAll(async () => {
    await shutdownTracing();
    await env?.receiver.close();
    await env?.server.close();
  });
  afterEach(() => env?.server.clear());
}

export function client(line: Line, env: AnthropicEnv, opts: Record<string, unknown> = {}): AnyClient {
  return new line.Anthropic({ apiKey: API_KEY, baseURL: env.server.url, maxRetries: 0, timeout: 10_000, ...opts });
}

export function traced(line: Line, env: AnthropicEnv, options: AnthropicTracingOptions = {}, opts: Record<string, unknown> = {}): AnyClient {
  return traceAnthropic(client(line, env, opts), options);
}
