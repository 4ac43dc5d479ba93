// Per-provider cold start (bench/provider-cold.ts): a module-scope OpenAI client and a wrapped handler making one
// model call to the local server. esbuild's `define` sets BENCH_TRACED, so the two bundles differ by the
// `traceOpenAI` call alone and the untraced one carries none of the instrumentation.
import OpenAI from 'openai';
import { traceOpenAI, withLlmTracing } from '../../src/index.ts';

declare const BENCH_TRACED: boolean;

const raw = new OpenAI({ apiKey: 'sk-bench-not-a-key', baseURL: `${process.env.BENCH_MODEL_URL}/v1`, maxRetries: 0 });
const client = BENCH_TRACED ? traceOpenAI(raw) : raw;

export const handler = withLlmTracing(async () => {
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 });
  return { statusCode: 200, body: 'ok' };
});
