/**
 * Shared setup for the traceBedrock suites: the local Bedrock server, an OTLP receiver, clients of the real
 * @aws-sdk/client-bedrock-runtime (default HTTP/2 handler or NodeHttpHandler) with fake static credentials,
 * and `invoke()` from the OpenAI harness, which runs a function inside a `withLlmTracing` handler.
 */
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { shutdownTracing, traceBedrock, type BedrockTracingOptions } from '../../src/index.js';
import { startBedrockServer, type BedrockServer } from '../../tools/bedrock-server/index.ts';
import { lambdaEnv } from './lambda.js';
import { startOtlpReceiver, type OtlpReceiver } from './receiver.js';

export { collect, exported, invoke, normalize, nowNs, onlyModel } from './openai.js';

export const CREDENTIALS = { accessKeyId: 'AKIDFAKEEXAMPLE', secretAccessKey: 'SECRETFAKE-9f2c0d' };
export const PROMPT = 'Tell me about the PROMPTSECRET-7731 lighthouse keeper.';
export const SYSTEM = 'You are SYSSECRET-19, a terse assistant.';
export const MESSAGES = [{ role: 'user' as const, content: [{ text: PROMPT }] }];

export const HANDLERS = [
  { name: 'HTTP/2 (default handler)', handler: (): Partial<BedrockRuntimeClientConfig> => ({}) },
  { name: 'HTTP/1.1 (NodeHttpHandler)', handler: (): Partial<BedrockRuntimeClientConfig> => ({ requestHandler: new NodeHttpHandler() }) },
];

export interface Env {
  server: BedrockServer;
  receiver: OtlpReceiver;
  warnings: string[];
}

const clients: BedrockRuntimeClient[] = [];

/** A test file's hooks: server and receiver up first, the script cleared after each test, all closed at the end. */
export function useBedrockEnv(set: (env: Env) => void): void {
  let env: Env | undefined;
  beforeAll(async () => {
    const receiver = await startOtlpReceiver();
    const server = await startBedrockServer({ eventDelayMs: 1 });
    lambdaEnv(receiver.url);
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
    for (const c of clients.splice(0)) c.destroy();
    await shutdownTracing();
    await env?.receiver.close();
    await env?.server.close();
  });
  afterEach(() => env?.server.clear());
}

/** A plain client of the real SDK pointed at the local server; destroyed when the file ends. */
export function bedrockClient(env: Env, config: Partial<BedrockRuntimeClientConfig> = {}): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: env.server.url, credentials: CREDENTIALS, ...config });
  clients.push(client);
  return client;
}

export function traced(env: Env, options: BedrockTracingOptions = {}, config: Partial<BedrockRuntimeClientConfig> = {}): BedrockRuntimeClient {
  return traceBedrock(bedrockClient(env, config), options);
}
