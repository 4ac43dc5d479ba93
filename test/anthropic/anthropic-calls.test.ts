/**
 * traceAnthropic on the real SDK lines 0.39, 0.59 and 1.x over HTTP to the local server, spans through the real
 * OTLP receiver: the `chat` span of `messages.create` (plain and streamed), of the `messages.stream()` helper and of
 * `beta.messages`, with usage per the Anthropic conventions, finish reasons, attempts, and the SDK's API intact.
 */
import { describe, expect, it } from 'vitest';
import { collect, expectCleanTelemetry, invoke, onlyModel } from '../support/openai.js';
import { DATED_MODEL, LINES, MESSAGES, MODEL, client, traced, useAnthropicEnv, type AnthropicEnv } from '../support/anthropic.js';
import { traceAnthropic } from '../../src/index.js';

let env: AnthropicEnv;
useAnthropicEnv((e) => (env = e));

const params = { model: MODEL, max_tokens: 64, messages: MESSAGES, temperature: 0.2, top_p: 0.9, top_k: 5, stop_sequences: ['NEVER'] };
const CACHED_SYSTEM = [{ type: 'text', text: 'You are a keeper of lights. '.repeat(20), cache_control: { type: 'ephemeral' } }];

describe.each(LINES)('$name', (line) => {
  it('messages.create: one chat CLIENT span with request parameters, response id and model, usage, finish reason', async () => {
    const c = traced(line, env);
    const inv = await invoke(env, () => c.messages.create(params));
    const msg = inv.result as any;
    const span = onlyModel(inv);
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 5,
      'gen_ai.request.stop_sequences': ['NEVER'],
      'gen_ai.request.stream': false,
      'gen_ai.response.id': msg.id,
      'gen_ai.response.model': DATED_MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': msg.usage.input_tokens,
      'gen_ai.usage.output_tokens': msg.usage.output_tokens,
      'llm.request.attempts': 1,
      'llm.anthropic.request_id': msg._request_id,
      'server.address': '127.0.0.1',
    });
    const [attempt] = inv.attempts(span);
    expect(attempt?.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.template': '/v1/messages', 'http.response.status_code': 200 });
    expectCleanTelemetry(env);
  });

  it('input tokens include cache reads and writes; cost prices each apart', async () => {
    const prices = { [DATED_MODEL]: { input: 3, output: 15, cachedInput: 0.3, cacheWriteInput: 3.75 } };
    const c = traced(line, env, { prices });
    const inv = await invoke(env, async () => [
      await c.messages.create({ model: MODEL, max_tokens: 16, system: CACHED_SYSTEM, messages: MESSAGES }),
      await c.messages.create({ model: MODEL, max_tokens: 16, system: CACHED_SYSTEM, messages: MESSAGES, stream: true }).then(collect),
    ]);
    const [write, events] = inv.result as [any, any[]];
    const [first, second] = inv.models;
    const u = write.usage;
    expect(u.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(first!.attributes['gen_ai.usage.input_tokens']).toBe(u.input_tokens + u.cache_creation_input_tokens);
    expect(first!.attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(u.cache_creation_input_tokens);
    const expected = (u.input_tokens * 3 + u.cache_creation_input_tokens * 3.75 + u.output_tokens * 15) / 1e6;
    expect(first!.attributes['llm.usage.cost_usd']).toBeCloseTo(expected, 9);
    const start = events[0].message.usage;
    expect(second!.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(u.cache_creation_input_tokens);
    expect(second!.attributes['gen_ai.usage.input_tokens']).toBe(start.input_tokens + start.cache_read_input_tokens);
    expect(second!.attributes['gen_ai.usage.output_tokens']).toBe(events.find((e) => e.type === 'message_delta').usage.output_tokens);
  });

  it('stream: true: the span covers the drain, usage from message_start and message_delta, events unchanged', async () => {
    const plain = await collect(await client(line, env).messages.create({ ...params, stream: true }));
    const c = traced(line, env);
    const inv = await invoke(env, async () => collect(await c.messages.create({ ...params, stream: true })));
    const events = inv.result as any[];
    expect(events.map((e) => e.type)).toEqual(plain.map((e: any) => e.type));
    const span = onlyModel(inv);
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': events[0].message.id,
      'gen_ai.usage.output_tokens': 10,
      'gen_ai.response.finish_reasons': ['stop'],
      'llm.stream.outcome': 'completed',
      'llm.stream.chunk_count': events.length,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('messages.stream() helper: text events and finalMessage as untraced, one span ended when the helper ends', async () => {
    const run = async (cl: any) => {
      const helper = cl.messages.stream({ model: MODEL, max_tokens: 64, messages: MESSAGES });
      let text = '';
      helper.on('text', (t: string) => (text += t));
      const final = await helper.finalMessage();
      return { text, final, id: helper.request_id ?? (await helper.withResponse?.())?.request_id };
    };
    const plain = await run(client(line, env));
    const inv = await invoke(env, () => run(traced(line, env)));
    const r = inv.result as any;
    expect(r.text).toBe(plain.text);
    expect(r.final.content).toEqual(plain.final.content);
    const span = onlyModel(inv);
    expect(span.attributes).toMatchObject({ 'gen_ai.response.id': r.final.id, 'llm.stream.outcome': 'completed', 'gen_ai.usage.output_tokens': 10 });
  });

  it('a stream never iterated ends as abandoned with the invocation; a helper aborted ends as aborted', async () => {
    const c = traced(line, env);
    const inv = await invoke(env, async () => {
      await c.messages.create({ ...params, stream: true });
      const helper = c.messages.stream(params);
      helper.on('text', () => helper.abort());
      await helper.done().catch(() => {});
    });
    const outcomes = inv.models.map((s) => s.attributes['llm.stream.outcome']).sort();
    expect(outcomes).toEqual(['abandoned', 'aborted']);
  });

  it('beta.messages.create and its stream helper are traced alike', async () => {
    const c = traced(line, env);
    const inv = await invoke(env, async () => {
      await c.beta.messages.create({ model: MODEL, max_tokens: 16, messages: MESSAGES });
      return c.beta.messages.stream({ model: MODEL, max_tokens: 16, messages: MESSAGES }).finalMessage();
    });
    expect(inv.models.map((s) => s.attributes['gen_ai.request.stream'])).toEqual([false, true]);
    expect(inv.models[1]!.attributes['llm.stream.outcome']).toBe('completed');
  });

  it('max_tokens is a truncation event, not an error', async () => {
    const c = traced(line, env);
    const inv = await invoke(env, () => c.messages.create({ model: MODEL, max_tokens: 3, messages: MESSAGES }));
    const span = onlyModel(inv);
    expect(span.status.code).toBe('UNSET');
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['length']);
    expect(span.events.map((e) => e.name)).toEqual(['llm.response.truncated']);
  });

  it('tool_use stops map to tool_call', async () => {
    const c = traced(line, env);
    const tools = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
    const inv = await invoke(env, () => c.messages.create({ model: MODEL, max_tokens: 64, messages: MESSAGES, tools }));
    expect(onlyModel(inv).attributes['gen_ai.response.finish_reasons']).toEqual(['tool_call']);
  });

  it('the SDK API stays intact: withResponse, asResponse, _request_id, tee, toReadableStream, abort', async () => {
    const c = traced(line, env);
    const inv = await invoke(env, async () => {
      const { data, response, request_id } = await c.messages.create(params).withResponse();
      const raw = await c.messages.create(params).asResponse();
      const rawBody = await raw.json();
      const [left, right] = (await c.messages.create({ ...params, stream: true })).tee();
      const both = await Promise.all([collect(left), collect(right)]);
      const readable = (await c.messages.create({ ...params, stream: true })).toReadableStream();
      const lines = (await new Response(readable).text()).trim().split('\n');
      const aborted = await c.messages.create({ ...params, stream: true });
      for await (const _ of aborted) {
        aborted.controller.abort();
      }
      return { data, status: response.status, request_id, rawBody, both, lines, raw };
    });
    const r = inv.result as any;
    const raw = r.raw;
    expect(r.request_id).toBe(r.data._request_id);
    expect(r.status).toBe(200);
    expect(r.rawBody.type).toBe('message');
    expect(r.both[0]).toEqual(r.both[1]);
    expect(JSON.parse(r.lines[0]).type).toBe('message_start');
    const models = [...inv.models].sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
    expect(models.map((s) => s.attributes['llm.stream.outcome'])).toEqual([undefined, undefined, 'completed', 'completed', 'aborted']);
    // asResponse(): the caller reads the body, so the span ends with the response, before the invocation does.
    expect(models[1]!.attributes['llm.anthropic.request_id']).toBe(raw.headers.get('request-id'));
    expect(models[1]!.endTimeUnixNano).toBeLessThan(models[2]!.endTimeUnixNano);
    expectCleanTelemetry(env);
  });

  it('is idempotent: traced twice, one span and one attempt per call', async () => {
    const c = traceAnthropic(traced(line, env));
    const inv = await invoke(env, () => c.messages.create(params));
    expect(inv.attempts(onlyModel(inv))).toHaveLength(1);
  });

  it('countTokens is passed through: its HTTP attempt, no GenAI span', async () => {
    const c = traced(line, env);
    const inv = await invoke(env, () => c.messages.countTokens({ model: MODEL, messages: MESSAGES }));
    expect((inv.result as any).input_tokens).toBeGreaterThan(0);
    expect(inv.models).toHaveLength(0);
    expect(inv.spans.some((s) => s.attributes['url.template'] === '/v1/messages/count_tokens')).toBe(true);
  });
});

// 0.3x has no withOptions().
describe.each(LINES.filter((l) => l.name !== 'anthropic03'))('$name withOptions()', (line) => {
  it('clones are traced alike, once, and keep the SDK span off', async () => {
    const c = traced(line, env);
    const inv = await invoke(env, async () => {
      await c.messages.create(params);
      await c.withOptions({ maxRetries: 1 }).messages.create(params);
    });
    expect(inv.models).toHaveLength(2);
    for (const m of inv.models) expect(inv.attempts(m)).toHaveLength(1);
    expect(inv.spans.filter((s) => s.scope.name.startsWith('com.anthropic'))).toEqual([]);
  });
});
