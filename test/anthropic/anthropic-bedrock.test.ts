/**
 * traceAnthropic on an `AnthropicBedrock` client (@anthropic-ai/bedrock-sdk) over HTTP to the local server's
 * Bedrock runtime paths: the same `chat` span with `gen_ai.provider.name=aws.bedrock`, attempts on the Bedrock path
 * template, streams through the helper, and the bearer key nowhere in the telemetry.
 */
import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import { describe, expect, it } from 'vitest';
import { traceAnthropic } from '../../src/index.js';
import { exported, invoke, onlyModel } from '../support/openai.js';
import { MESSAGES, useAnthropicEnv, type AnthropicEnv } from '../support/anthropic.js';

let env: AnthropicEnv;
useAnthropicEnv((e) => (env = e));

const MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const KEY = 'BEDROCKKEYSECRET-91';
// Driven through a loose shape, as the other suites drive the SDK lines.
const bedrock = (opts: Record<string, unknown> = {}): any =>
  traceAnthropic(new AnthropicBedrock({ baseURL: env.server.url, awsRegion: 'eu-west-1', apiKey: KEY, maxRetries: 0, ...opts }));

describe('AnthropicBedrock', () => {
  it('messages.create: chat span with provider aws.bedrock, usage, attempt on /model/{id}/invoke', async () => {
    const c = bedrock();
    const inv = await invoke(env, () => c.messages.create({ model: MODEL, max_tokens: 32, messages: MESSAGES }));
    const msg = inv.result as any;
    expect(decodeURIComponent(env.server.requests.at(-1)?.path ?? '')).toBe(`/model/${MODEL}/invoke`);
    const span = onlyModel(inv);
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.response.id': msg.id,
      'gen_ai.usage.output_tokens': msg.usage.output_tokens,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(inv.attempts(span)[0]?.attributes['url.template']).toBe('/model/{id}/invoke');
    expect(exported(inv.spans)).not.toContain(KEY);
    expect(inv.spans.filter((s) => s.scope.name.startsWith('com.anthropic'))).toEqual([]);
  });

  it('the stream helper: one span covering the drain, events as untraced', async () => {
    const c = bedrock();
    const inv = await invoke(env, async () => {
      const helper = c.messages.stream({ model: MODEL, max_tokens: 32, messages: MESSAGES });
      let text = '';
      helper.on('text', (t: string) => (text += t));
      const final = await helper.finalMessage();
      return { text, final };
    });
    const r = inv.result as any;
    expect(r.text).toBe(r.final.content[0].text);
    const span = onlyModel(inv);
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'aws.bedrock', 'llm.stream.outcome': 'completed', 'gen_ai.request.stream': true });
    expect(inv.attempts(span)[0]?.attributes['url.template']).toBe('/model/{id}/invoke-with-response-stream');
  });

  it('a 529 overloaded: error.type overloaded, the SDK error to the caller', async () => {
    env.server.script({ kind: 'status', status: 529 });
    const c = bedrock();
    const inv = await invoke(env, () => c.messages.create({ model: MODEL, max_tokens: 32, messages: MESSAGES }));
    expect((inv.error as any)?.status).toBe(529);
    expect(onlyModel(inv).attributes['error.type']).toBe('overloaded');
  });
});
