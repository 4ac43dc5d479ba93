import OpenAI from 'openai7';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shutdownTracing, traceOpenAI, withLlmTracing } from '../src/index.js';
import { startOpenAIServer, type OpenAIServer } from '../tools/openai-server.js';
import { spanTree, startOtlpReceiver, type OtlpReceiver } from './support/receiver.js';
import { lambdaContext, lambdaEnv } from './support/lambda.js';

let receiver: OtlpReceiver; let server: OpenAIServer;
beforeAll(async () => { receiver = await startOtlpReceiver(); server = await startOpenAIServer(); lambdaEnv(receiver.url); });
afterAll(async () => { await shutdownTracing(); await receiver.close(); await server.close(); });

it('smoke', async () => {
  const client = traceOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: server.url, maxRetries: 2 }));
  server.script({ kind: 'status', status: 429, retryAfterMs: 5 });
  const h = withLlmTracing(async () => {
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello secret prompt' }] });
    const s = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let n = 0; for await (const c of s) { n++; expect(c.choices.length).toBeGreaterThan(0); }
    const e = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    const rr = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi' });
    return [r._request_id, n, e.data[0]!.embedding.length, rr.output_text];
  });
  const out = await h({}, lambdaContext());
  console.log(out);
  console.log(spanTree(receiver.spans));
  for (const s of receiver.spans) console.log(s.name, JSON.stringify(s.attributes));
});
