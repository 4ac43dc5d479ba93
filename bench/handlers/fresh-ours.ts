// The fresh-process app with lambda-llm-tracing: the same client through `traceOpenAI`, the same handler through
// `withLlmTracing` (its span exported before it returns, outside Lambda).
import OpenAI from 'openai';
import { traceOpenAI, withLlmTracing } from '../../src/index.ts';

const client = traceOpenAI(new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-bench', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 }));

export const handler = withLlmTracing(async (event: { question?: string }) => ({ statusCode: 200, body: `${client.baseURL} ${event?.question ?? ''}` }));
