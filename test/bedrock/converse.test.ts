/**
 * traceBedrock on Converse: one `chat {modelId}` CLIENT span per call with the request parameters, stop reason,
 * usage (cache tokens included in input tokens) and server, one attempt span per HTTP request, over the SDK's
 * default HTTP/2 handler and over NodeHttpHandler; the caller's output is the untraced client's.
 */
import { BedrockRuntime, ConverseCommand, CountTokensCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { traceBedrock } from '../../src/index.js';
import { CREDENTIALS, HANDLERS, MESSAGES, PROMPT, bedrockClient, exported, invoke, onlyModel, traced, useBedrockEnv, type Env } from '../support/bedrock.js';

let env: Env;
useBedrockEnv((e) => (env = e));

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const REQUEST = {
  modelId: MODEL,
  messages: MESSAGES,
  inferenceConfig: { maxTokens: 300, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
  additionalModelRequestFields: { top_k: 40 },
};

describe.each(HANDLERS)('Converse over $name', ({ handler }) => {
  it('is one chat span with the request, response and server attributes, and one attempt span', async () => {
    const client = traced(env, {}, handler());
    const inv = await invoke(env, () => client.send(new ConverseCommand(REQUEST)));
    expect(inv.error).toBeUndefined();
    const span = onlyModel(inv);
    expect(span.name).toBe(`chat ${MODEL}`);
    const out = inv.result!;
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.max_tokens': 300,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': out.usage!.inputTokens,
      'gen_ai.usage.output_tokens': out.usage!.outputTokens,
      'server.address': '127.0.0.1',
      'server.port': env.server.port,
      'aws.request_id': out.$metadata.requestId,
      'llm.request.attempts': 1,
    });
    expect(span.status.code).toBe('UNSET');
    const [attempt, ...more] = inv.attempts(span);
    expect(more).toEqual([]);
    expect(attempt).toMatchObject({ name: 'POST /model/{modelId}/converse', kind: 'CLIENT' });
    expect(attempt!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'url.template': '/model/{modelId}/converse',
      'aws.request_id': out.$metadata.requestId,
    });
    expect(attempt!.attributes['http.request.resend_count']).toBeUndefined();
  });

  it('returns what an untraced client returns, and records no prompt, output or credential', async () => {
    const plain = await bedrockClient(env, handler()).send(new ConverseCommand(REQUEST));
    const inv = await invoke(env, () => traced(env, {}, handler()).send(new ConverseCommand(REQUEST)));
    const sansId = (o: any) => ({ ...o, $metadata: { ...o.$metadata, requestId: '<volatile>' } });
    expect(sansId(inv.result)).toEqual(sansId(plain));
    const all = exported(inv.spans);
    expect(all).not.toContain(PROMPT);
    expect(all).not.toContain(plain.output!.message!.content![0]!.text!);
    expect(all).not.toContain(CREDENTIALS.secretAccessKey);
    expect(all).not.toMatch(/AWS4-HMAC-SHA256|Signature=|authorization/i);
    expect(all).not.toContain('gen_ai.input.messages');
  });
});

describe('traceBedrock', () => {
  it('returns the same instance, and a second call adds nothing', async () => {
    const client = bedrockClient(env);
    expect(traceBedrock(client)).toBe(client);
    traceBedrock(client);
    const inv = await invoke(env, () => client.send(new ConverseCommand(REQUEST)));
    const span = onlyModel(inv);
    expect(inv.attempts(span)).toHaveLength(1);
  });

  it('traces the aggregated BedrockRuntime client', async () => {
    const client = traceBedrock(new BedrockRuntime({ region: 'us-east-1', endpoint: env.server.url, credentials: CREDENTIALS }));
    const inv = await invoke(env, () => client.converse(REQUEST));
    expect(onlyModel(inv).name).toBe(`chat ${MODEL}`);
  });

  it('lets other commands through untraced', async () => {
    const client = traced(env);
    const inv = await invoke(env, () => client.send(new CountTokensCommand({ modelId: MODEL, input: { converse: { messages: MESSAGES } } })));
    expect(inv.error).toBeDefined();
    expect(inv.models).toEqual([]);
    expect(inv.spans.filter((s) => s.kind === 'CLIENT')).toEqual([]);
  });

  it('keeps the model id or inference-profile ARN as given', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
    const inv = await invoke(env, () => traced(env).send(new ConverseCommand({ ...REQUEST, modelId: arn })));
    expect(onlyModel(inv).attributes['gen_ai.request.model']).toBe(arn);
  });

  it('counts prompt-cache tokens inside input_tokens, and reports reads and writes', async () => {
    const system = [{ text: 'A long shared preamble about tides and harbours. '.repeat(20) }, { cachePoint: { type: 'default' as const } }];
    const client = traced(env);
    const first = await invoke(env, () => client.send(new ConverseCommand({ ...REQUEST, system })));
    const second = await invoke(env, () => client.send(new ConverseCommand({ ...REQUEST, system })));
    const written = first.result!.usage!;
    expect(onlyModel(first).attributes).toMatchObject({
      'gen_ai.usage.input_tokens': written.inputTokens! + written.cacheWriteInputTokens!,
      'gen_ai.usage.cache_creation.input_tokens': written.cacheWriteInputTokens,
      'gen_ai.usage.cache_read.input_tokens': 0,
    });
    const read = second.result!.usage!;
    expect(read.cacheReadInputTokens).toBeGreaterThan(0);
    expect(onlyModel(second).attributes).toMatchObject({
      'gen_ai.usage.input_tokens': read.inputTokens! + read.cacheReadInputTokens!,
      'gen_ai.usage.cache_read.input_tokens': read.cacheReadInputTokens,
    });
  });

  it('prices the call from the table, cached tokens at their own price', async () => {
    const prices = { [MODEL]: { input: 1, output: 5 } };
    const inv = await invoke(env, () => traced(env, { prices }).send(new ConverseCommand(REQUEST)));
    const u = inv.result!.usage!;
    expect(onlyModel(inv).attributes['llm.usage.cost_usd']).toBeCloseTo((u.inputTokens! * 1 + u.outputTokens! * 5) / 1e6, 12);
  });
});
