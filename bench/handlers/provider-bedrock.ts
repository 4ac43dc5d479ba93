// Per-provider cold start (bench/provider-cold.ts): a module-scope Bedrock Runtime client (its default HTTP/2
// handler) and a wrapped handler making one Converse call to the local server; BENCH_TRACED (esbuild `define`)
// decides whether it goes through `traceBedrock`.
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { traceBedrock, withLlmTracing } from '../../src/index.ts';

declare const BENCH_TRACED: boolean;

const raw = new BedrockRuntimeClient({
  region: 'us-east-1',
  endpoint: process.env.BENCH_MODEL_URL,
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKIDBENCHEXAMPLE', secretAccessKey: 'bench-not-a-secret' },
});
const client = BENCH_TRACED ? traceBedrock(raw) : raw;

export const handler = withLlmTracing(async () => {
  await client.send(new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
  return { statusCode: 200, body: 'ok' };
});
