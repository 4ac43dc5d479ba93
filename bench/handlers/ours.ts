// The same handler with lambda-llm-tracing: withLlmTracing + traceOpenAI, as the README shows.
import { traceOpenAI, withLlmTracing } from '../../src/index.ts';
import { answer, newClient, type BenchEvent } from './chat.ts';

const client = traceOpenAI(newClient());

export const handler = withLlmTracing(async (event: BenchEvent) => answer(client, event));
