/**
 * traceBedrock on InvokeModel: `chat {modelId}` for the text families whose bodies we read, `embeddings
 * {modelId}` for Titan and Cohere Embed, and for a body we do not know a span with only what the request and
 * Bedrock's headers tell. The body may be a string or bytes; the caller's output is untouched.
 */
import { InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { bedrockClient, invoke, onlyModel, traced, useBedrockEnv, type Env } from '../support/bedrock.js';

let env: Env;
useBedrockEnv((e) => (env = e));

const send = (modelId: string, body: unknown, asBytes = false) => {
  const json = JSON.stringify(body);
  return traced(env).send(new InvokeModelCommand({ modelId, body: asBytes ? new TextEncoder().encode(json) : json, contentType: 'application/json' }));
};
const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

describe('chat families', () => {
  it.each([
    [
      'anthropic.claude-3-5-haiku-20241022-v1:0',
      {
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 120,
        temperature: 0.3,
        top_p: 0.8,
        top_k: 20,
        stop_sequences: ['X'],
        messages: [{ role: 'user', content: 'hi' }],
      },
      'end_turn',
      { top_k: 20, top_p: 0.8 },
    ],
    [
      'us.amazon.nova-lite-v1:0',
      { messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 120, temperature: 0.3, topP: 0.8, topK: 20 } },
      'end_turn',
      { top_k: 20, top_p: 0.8 },
    ],
    ['meta.llama3-8b-instruct-v1:0', { prompt: 'hi', max_gen_len: 120, temperature: 0.3, top_p: 0.8 }, 'stop', { top_p: 0.8 }],
    ['mistral.mistral-7b-instruct-v0:2', { prompt: 'hi', max_tokens: 120, temperature: 0.3, top_p: 0.8, top_k: 20 }, 'stop', { top_k: 20, top_p: 0.8 }],
    ['cohere.command-r-v1:0', { message: 'hi', max_tokens: 120, temperature: 0.3, p: 0.8, k: 20 }, 'COMPLETE', { top_k: 20, top_p: 0.8 }],
  ])('%s: request parameters, finish reason and usage', async (modelId, body, reason, sampling) => {
    const inv = await invoke(env, () => send(modelId, body));
    const span = onlyModel(inv);
    expect(span.name).toBe(`chat ${modelId}`);
    const expected: Record<string, unknown> = {
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': modelId,
      'gen_ai.request.max_tokens': 120,
      'gen_ai.request.temperature': 0.3,
      'gen_ai.response.finish_reasons': [reason],
    };
    for (const [k, v] of Object.entries(sampling)) expected[`gen_ai.request.${k}`] = v;
    expect(span.attributes).toMatchObject(expected);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(inv.attempts(span)[0]!.attributes['url.template']).toBe('/model/{modelId}/invoke');
  });

  it('reads a body given as bytes as one given as a string, and returns the body untouched', async () => {
    const body = { prompt: 'hi', max_gen_len: 50 };
    const plain = decode((await bedrockClient(env).send(new InvokeModelCommand({ modelId: 'meta.llama3-8b-instruct-v1:0', body: JSON.stringify(body) }))).body);
    const inv = await invoke(env, () => send('meta.llama3-8b-instruct-v1:0', body, true));
    expect(decode(inv.result!.body)).toEqual(plain);
    expect(onlyModel(inv).attributes['gen_ai.request.max_tokens']).toBe(50);
  });

  it('records a family token-limit stop as truncation', async () => {
    const inv = await invoke(env, () => send('meta.llama3-8b-instruct-v1:0', { prompt: 'hi', max_gen_len: 2 }));
    const span = onlyModel(inv);
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['length']);
    expect(span.events.map((e) => e.name)).toContain('llm.response.truncated');
  });

  it('adds Anthropic cache tokens to input_tokens', async () => {
    const system = [{ type: 'text', text: 'Shared preamble. '.repeat(40), cache_control: { type: 'ephemeral' } }];
    const body = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, system, messages: [{ role: 'user', content: 'hi' }] };
    const inv = await invoke(env, () => send('anthropic.claude-3-5-haiku-20241022-v1:0', body));
    const usage = decode(inv.result!.body).usage;
    expect(usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(onlyModel(inv).attributes).toMatchObject({
      'gen_ai.usage.input_tokens': usage.input_tokens + usage.cache_creation_input_tokens,
      'gen_ai.usage.cache_creation.input_tokens': usage.cache_creation_input_tokens,
    });
  });

  it('records the guardrail headers and an intervention marked in the body', async () => {
    env.server.script({ kind: 'guardrailIntervened' });
    const inv = await invoke(env, () =>
      traced(env).send(
        new InvokeModelCommand({
          modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
          body: JSON.stringify({ max_tokens: 10, messages: [] }),
          guardrailIdentifier: 'gr-7',
          guardrailVersion: 'DRAFT',
        }),
      ),
    );
    const span = onlyModel(inv);
    expect(span.attributes).toMatchObject({ 'aws.bedrock.guardrail.id': 'gr-7', 'llm.bedrock.guardrail.version': 'DRAFT' });
    const event = span.events.find((e) => e.name === 'gen_ai.guardrail.result');
    expect(event?.attributes).toMatchObject({
      'gen_ai.guardrail.result.type': 'amazon-bedrock-guardrailAction',
      'gen_ai.guardrail.result.value': 'INTERVENED',
    });
  });
});

describe('embedding families', () => {
  it.each([
    ['amazon.titan-embed-text-v2:0', { inputText: 'harbour', dimensions: 8 }],
    ['cohere.embed-english-v3', { texts: ['a', 'b'], input_type: 'search_document' }],
  ])('%s: an embeddings span with input tokens', async (modelId, body) => {
    const inv = await invoke(env, () => send(modelId, body));
    const span = onlyModel(inv);
    expect(span.name).toBe(`embeddings ${modelId}`);
    expect(span.attributes['gen_ai.operation.name']).toBe('embeddings');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  });
});

describe('a family we do not read', () => {
  it('is a span with only what the request and the response headers tell', async () => {
    const modelId = 'ai21.jamba-1-5-mini-v1:0';
    const inv = await invoke(env, () => send(modelId, { messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }));
    const span = onlyModel(inv);
    expect(span.name).toBe(`invoke_model ${modelId}`);
    expect(span.attributes['gen_ai.operation.name']).toBe('invoke_model');
    expect(span.attributes['gen_ai.request.max_tokens']).toBeUndefined();
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  });
});
