// The fresh-process app with `withLlmTracing` only (the client untraced): what a bundle pays when it never calls
// `traceOpenAI`, which tree-shaking must leave out.
import OpenAI from 'openai';
import { withLlmTracing } from '../../src/index.ts';

const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-bench', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });

export const handler = withLlmTracing(async (event: { question?: string }) => ({ statusCode: 200, body: `${client.baseURL} ${event?.question ?? ''}` }));
