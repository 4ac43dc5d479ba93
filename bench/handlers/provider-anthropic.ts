// Per-provider cold start (bench/provider-cold.ts): a module-scope Anthropic client and a wrapped handler making
// one model call to the local server; BENCH_TRACED (esbuild `define`) decides whether it goes through
// `traceAnthropic`.
import Anthropic from '@anthropic-ai/sdk';
import { traceAnthropic, withLlmTracing } from '../../src/index.ts';

declare const BENCH_TRACED: boolean;

const raw = new Anthropic({ apiKey: 'sk-ant-bench-not-a-key', baseURL: process.env.BENCH_MODEL_URL, maxRetries: 0 });
const client = BENCH_TRACED ? traceAnthropic(raw) : raw;

export const handler = withLlmTracing(async () => {
  await client.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
  return { statusCode: 200, body: 'ok' };
});
