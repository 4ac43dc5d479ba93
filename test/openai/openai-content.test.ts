/**
 * traceOpenAI content capture and cost, majors 4–7: nothing of the prompt or completion is exported by default;
 * with `captureContent` (or the env variable, read when traceOpenAI is called) the GenAI message attributes are
 * valid JSON per the conventions, cut to `contentMaxChars` and passed through `redactContent`; a price table
 * adds the request's cost.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContentInfo } from '../../src/index.js';
import {
  API_KEY,
  MAJORS,
  MESSAGES,
  PROMPT,
  SCHEMA,
  SYSTEM,
  collect,
  expectCleanTelemetry,
  exported,
  invoke,
  onlyModel,
  traced,
  useOpenAIEnv,
  type AnyClient,
  type Env,
} from '../support/openai.js';

let env: Env;
useOpenAIEnv(
  (e) => (env = e),
  () => {
    delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
  },
);

const WITH_SYSTEM = [{ role: 'system', content: SYSTEM }, ...MESSAGES];
const TOOL = { type: 'function', function: { name: 'get_city', strict: true, parameters: SCHEMA } };
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const json = (v: unknown) => JSON.parse(String(v));

describe.each(MAJORS)('$name', (major) => {
  it('default: no prompt, completion, tool argument or key in anything exported, across every API', async () => {
    const c: AnyClient = traced(major, env);
    const inv = await invoke(env, async () => {
      env.server.script({ kind: 'status', status: 429, retryAfterMs: 5 });
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: WITH_SYSTEM }, { maxRetries: 1 });
      env.server.script({ kind: 'status', status: 400 });
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: WITH_SYSTEM }).catch(() => {});
      await collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages: WITH_SYSTEM, stream: true }));
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, tools: [TOOL], tool_choice: 'required' });
      await major.chatHelpers(c).parse({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true, schema: SCHEMA } },
      });
      await major.chatHelpers(c).stream({ model: 'gpt-4o-mini', messages: MESSAGES }).finalChatCompletion();
      await c.responses.create({ model: 'gpt-4o-mini', input: PROMPT, instructions: SYSTEM });
      await collect(await c.responses.create({ model: 'gpt-4o-mini', input: PROMPT, instructions: SYSTEM, stream: true }));
      await c.responses.stream({ model: 'gpt-4o-mini', input: PROMPT }).finalResponse();
      await c.embeddings.create({ model: 'text-embedding-3-small', input: PROMPT });
      env.server.script({ kind: 'midStreamError', afterChunks: 3 });
      await collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })).catch(() => {});
      env.server.script({ kind: 'finish', reason: 'length' });
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    });
    expect(inv.error).toBeUndefined();
    expect(inv.models).toHaveLength(12);
    const all = exported(inv.spans);
    for (const secret of ['PROMPTSECRET', 'SYSSECRET', 'lighthouse', 'terse', 'ZEPHYR', 'get_city', API_KEY, 'Bearer']) expect(all).not.toContain(secret);
    for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) expect(all).not.toContain(key);
    expectCleanTelemetry(env);
  });

  describe('captureContent: true', () => {
    let c: AnyClient;
    beforeAll(() => {
      c = traced(major, env, { captureContent: true });
    });

    it('chat: input (system message included) and output messages as the conventions shape them', async () => {
      const inv = await invoke(env, () => c.chat.completions.create({ model: 'gpt-4o-mini', messages: WITH_SYSTEM, n: 2 }));
      const r = inv.result as any;
      const span = onlyModel(inv);
      expect(json(span.attributes['gen_ai.input.messages'])).toEqual([
        { role: 'system', parts: [{ type: 'text', content: SYSTEM }] },
        { role: 'user', parts: [{ type: 'text', content: PROMPT }] },
      ]);
      expect(span.attributes['gen_ai.system_instructions']).toBeUndefined();
      expect(json(span.attributes['gen_ai.output.messages'])).toEqual(
        r.choices.map((ch: any) => ({ role: 'assistant', parts: [{ type: 'text', content: ch.message.content }], finish_reason: 'stop' })),
      );
      expect(r.choices[0].message.content).toContain('ZEPHYR');
    });

    it('chat: tool calls out, tool results in', async () => {
      const first = await invoke(env, () => c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, tools: [TOOL], tool_choice: 'required' }));
      const call = (first.result as any).choices[0].message.tool_calls[0];
      expect(json(onlyModel(first).attributes['gen_ai.output.messages'])).toEqual([
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: call.id, name: 'get_city', arguments: JSON.parse(call.function.arguments) }],
          finish_reason: 'tool_call',
        },
      ]);
      const messages = [...MESSAGES, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'sunny' }];
      const second = await invoke(env, () => c.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [TOOL] }));
      expect(json(onlyModel(second).attributes['gen_ai.input.messages'])).toEqual([
        { role: 'user', parts: [{ type: 'text', content: PROMPT }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: call.id, name: 'get_city', arguments: JSON.parse(call.function.arguments) }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: call.id, response: 'sunny' }] },
      ]);
    });

    it('chat stream: the output text is the concatenated deltas', async () => {
      const inv = await invoke(env, async () => collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages: WITH_SYSTEM, stream: true })));
      const text = (inv.result as any[]).map((ch) => ch.choices[0]?.delta?.content ?? '').join('');
      expect(text).toContain('ZEPHYR');
      const span = onlyModel(inv);
      expect(json(span.attributes['gen_ai.output.messages'])).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: 'stop' }]);
      expect(json(span.attributes['gen_ai.input.messages'])[0]).toEqual({ role: 'system', parts: [{ type: 'text', content: SYSTEM }] });
    });

    it('responses, plain and streamed: instructions are the system instructions', async () => {
      const inv = await invoke(env, async () => [
        await c.responses.create({ model: 'gpt-4o-mini', input: PROMPT, instructions: SYSTEM }),
        await collect(
          await c.responses.create({ model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_text', text: PROMPT }] }], stream: true }),
        ),
      ]);
      const [plainResult, events] = inv.result as [any, any[]];
      expect(inv.models).toHaveLength(2);
      const [plain, streamed] = inv.models.sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
      for (const span of [plain!, streamed!]) {
        expect(json(span.attributes['gen_ai.input.messages'])).toEqual([{ role: 'user', parts: [{ type: 'text', content: PROMPT }] }]);
      }
      expect(json(plain!.attributes['gen_ai.system_instructions'])).toEqual([{ type: 'text', content: SYSTEM }]);
      expect(streamed!.attributes['gen_ai.system_instructions']).toBeUndefined();
      expect(json(plain!.attributes['gen_ai.output.messages'])).toEqual([
        { role: 'assistant', parts: [{ type: 'text', content: plainResult.output_text }], finish_reason: 'stop' },
      ]);
      const streamedText = events
        .filter((e) => e.type === 'response.output_text.delta')
        .map((e) => e.delta)
        .join('');
      expect(json(streamed!.attributes['gen_ai.output.messages'])).toEqual([
        { role: 'assistant', parts: [{ type: 'text', content: streamedText }], finish_reason: 'stop' },
      ]);
    });

    it('embeddings record no content', async () => {
      const inv = await invoke(env, () => c.embeddings.create({ model: 'text-embedding-3-small', input: PROMPT }));
      expect(exported(inv.spans)).not.toContain('PROMPTSECRET');
    });

    it('a long conversation still exports parseable JSON', async () => {
      const long = Array.from({ length: 12 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `${i} ${'x'.repeat(3000)}` }));
      const inv = await invoke(env, () => c.chat.completions.create({ model: 'gpt-4o-mini', messages: long }));
      const input = json(onlyModel(inv).attributes['gen_ai.input.messages']);
      expect(input).toHaveLength(12);
      expect(input.map((m: any) => m.parts[0].content.split(' ')[0])).toEqual(long.map((_, i) => String(i)));
    });
  });

  it('contentMaxChars cuts each text so the attribute still parses, never splitting a surrogate pair', async () => {
    const c = traced(major, env, { captureContent: true, contentMaxChars: 40 });
    const text = `${'a'.repeat(38)}😀${'b'.repeat(100)}"\\\n`;
    const inv = await invoke(env, () =>
      c.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: text },
          { role: 'user', content: text },
        ],
      }),
    );
    const span = onlyModel(inv);
    const input = json(span.attributes['gen_ai.input.messages']);
    const output = json(span.attributes['gen_ai.output.messages']);
    const full = (inv.result as any).choices[0].message.content as string;
    expect(full.length).toBeGreaterThan(40);
    for (const [content, original] of [
      [input[0].parts[0].content, text],
      [input[1].parts[0].content, text],
      [output[0].parts[0].content, full],
    ] as [string, string][]) {
      expect(content.length).toBeLessThanOrEqual(40);
      expect(content.length).toBeGreaterThan(30);
      expect(original.startsWith(content.replace(/…$/, ''))).toBe(true);
      expect(content).not.toMatch(LONE_SURROGATE);
    }
  });

  it('redactContent rewrites or drops each text, told its direction and role', async () => {
    const seen: ContentInfo[] = [];
    const c = traced(major, env, {
      captureContent: true,
      redactContent: (text, info) => {
        seen.push(info);
        return info.role === 'system' ? undefined : text.replace(/PROMPTSECRET-\d+/g, '[R]').replace(/ZEPHYR/g, '[Z]');
      },
    });
    const inv = await invoke(env, async () => [
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: WITH_SYSTEM }),
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, tools: [TOOL], tool_choice: 'required' }),
      await c.responses.create({ model: 'gpt-4o-mini', input: PROMPT, instructions: SYSTEM }),
    ]);
    expect(inv.models).toHaveLength(3);
    const all = exported(inv.spans);
    for (const secret of ['PROMPTSECRET', 'SYSSECRET', 'ZEPHYR']) expect(all).not.toContain(secret);
    expect(all).toContain('[R]');
    expect(all).toContain('[Z]');
    for (const span of inv.models) {
      expect(json(span.attributes['gen_ai.input.messages'])[0].parts[0].content).toBe('Tell me about the [R] lighthouse keeper.');
      json(span.attributes['gen_ai.output.messages']);
    }
    expect(seen).toContainEqual({ direction: 'input', role: 'user' });
    expect(seen).toContainEqual({ direction: 'input', role: 'system' });
    expect(seen).toContainEqual({ direction: 'output', role: 'assistant' });
  });

  it('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT is read when traceOpenAI is called; the option wins', async () => {
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    const fromEnv = traced(major, env);
    const optedOut = traced(major, env, { captureContent: false });
    delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    const after = traced(major, env);
    const inv = await invoke(env, async () => {
      for (const c of [fromEnv, optedOut, after]) await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    });
    const [a, b, d] = inv.models.sort((x, y) => (x.startTimeUnixNano < y.startTimeUnixNano ? -1 : 1));
    expect(json(a!.attributes['gen_ai.input.messages'])).toEqual([{ role: 'user', parts: [{ type: 'text', content: PROMPT }] }]);
    expect(json(a!.attributes['gen_ai.output.messages'])[0].parts[0].content).toContain('ZEPHYR');
    for (const span of [b!, d!]) {
      expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
    }
  });

  describe('cost', () => {
    const prices = { 'gpt-4o-mini': { input: 0.15, output: 0.6 } };

    it('llm.usage.cost_usd from the price table, cached input at its own price when given', async () => {
      const c = traced(major, env, { prices });
      const cached = traced(major, env, { prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 } } });
      const inv = await invoke(env, async () => [
        await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }),
        await collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })),
        await cached.responses.create({ model: 'gpt-4o-mini', input: PROMPT, prompt_cache_key: 'k' }),
        await c.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES }),
      ]);
      const [r, , resp] = inv.result as any[];
      const spans = inv.models.sort((x, y) => (x.startTimeUnixNano < y.startTimeUnixNano ? -1 : 1));
      expect(spans).toHaveLength(4);
      const [plain, streamed, withCache, unpriced] = spans;
      expect(plain!.attributes['llm.usage.cost_usd']).toBeCloseTo((r.usage.prompt_tokens * 0.15 + r.usage.completion_tokens * 0.6) / 1e6, 12);
      const cost = (s: typeof plain) =>
        ((s!.attributes['gen_ai.usage.input_tokens'] as number) * 0.15 + (s!.attributes['gen_ai.usage.output_tokens'] as number) * 0.6) / 1e6;
      expect(streamed!.attributes['llm.usage.cost_usd']).toBeCloseTo(cost(streamed), 12);
      const u = resp.usage;
      expect(u.input_tokens_details.cached_tokens).toBeGreaterThan(0);
      expect(withCache!.attributes['llm.usage.cost_usd']).toBeCloseTo(
        ((u.input_tokens - u.input_tokens_details.cached_tokens) * 0.15 + u.input_tokens_details.cached_tokens * 0.075 + u.output_tokens * 0.6) / 1e6,
        12,
      );
      expect(unpriced!.attributes['llm.usage.cost_usd']).toBeUndefined();
    });

    it('no table, no cost attribute', async () => {
      const c = traced(major, env);
      const inv = await invoke(env, () => c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }));
      expect(onlyModel(inv).attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(exported(inv.spans)).not.toContain('cost');
    });
  });
});
