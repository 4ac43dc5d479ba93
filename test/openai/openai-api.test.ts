/**
 * traceOpenAI, majors 4–7, through withLlmTracing handlers against the local server: span shape and attributes
 * of every API and helper, and the SDK's own API left intact (results equal an untraced client's).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAJORS,
  MESSAGES,
  PROMPT,
  SCHEMA,
  client,
  collect,
  expectCleanTelemetry,
  invoke,
  normalize,
  onlyModel,
  traced,
  useOpenAIEnv,
  type AnyClient,
  type Env,
} from '../support/openai.js';

let env: Env;
useOpenAIEnv((e) => (env = e));

/** Every chat parameter the span records, sent through the traced client and the plain one alike. */
const FULL_CHAT_REQUEST = {
  model: 'gpt-4o-mini',
  messages: MESSAGES,
  max_tokens: 200,
  temperature: 0.3,
  top_p: 0.9,
  stop: ['END', 'STOP'],
  seed: 7,
  n: 2,
  frequency_penalty: 0.1,
  presence_penalty: 0.2,
  service_tier: 'auto' as const,
};

describe.each(MAJORS)('$name', (major) => {
  let c: AnyClient;
  let plain: AnyClient;
  beforeAll(() => {
    c = traced(major, env);
    plain = client(major, env);
  });

  describe('chat.completions.create', () => {
    it('one CLIENT span under the invocation with request parameters, response and usage', async () => {
      const inv = await invoke(env, () => c.chat.completions.create(FULL_CHAT_REQUEST));
      const r = inv.result as any;
      const span = onlyModel(inv);
      expect(span.name).toBe('chat gpt-4o-mini');
      expect(span.status.code).toBe('UNSET');
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.request.max_tokens': 200,
        'gen_ai.request.temperature': 0.3,
        'gen_ai.request.top_p': 0.9,
        'gen_ai.request.stop_sequences': ['END', 'STOP'],
        'gen_ai.request.seed': 7,
        'gen_ai.request.choice.count': 2,
        'gen_ai.request.frequency_penalty': 0.1,
        'gen_ai.request.presence_penalty': 0.2,
        'gen_ai.request.stream': false,
        'openai.api.type': 'chat_completions',
        'openai.request.service_tier': 'auto',
        'openai.response.service_tier': 'default',
        'server.address': '127.0.0.1',
        'server.port': env.server.port,
        'gen_ai.response.id': r.id,
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.finish_reasons': ['stop', 'stop'],
        'gen_ai.usage.input_tokens': r.usage.prompt_tokens,
        'gen_ai.usage.output_tokens': r.usage.completion_tokens,
        'gen_ai.usage.cache_read.input_tokens': 0,
        'gen_ai.usage.reasoning.output_tokens': 0,
        'llm.request.attempts': 1,
        'llm.openai.request_id': r._request_id,
      });
      expect(r._request_id).toMatch(/^req_/);
      expect(span.attributes['llm.usage.cost_usd']).toBeUndefined();
      expect(span.events.filter((e) => e.name === 'llm.response.truncated')).toEqual([]);
      const [attempt, ...more] = inv.attempts(span);
      expect(more).toEqual([]);
      expect(attempt!.name).toBe('POST /v1/chat/completions');
      expect(attempt!.kind).toBe('CLIENT');
      expect(attempt!.attributes).toMatchObject({
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'http.response.status_code': 200,
        'llm.openai.request_id': r._request_id,
      });
      expect(attempt!.attributes['http.request.resend_count']).toBeUndefined();
      expect(normalize(r)).toEqual(normalize(await plain.chat.completions.create(FULL_CHAT_REQUEST)));
      expectCleanTelemetry(env);
    });

    it('reasoning and cached tokens (o4-mini, prompt_cache_key); a single stop string; n=1 is not recorded', async () => {
      const inv = await invoke(env, () =>
        c.chat.completions.create({ model: 'o4-mini', messages: MESSAGES, prompt_cache_key: 'k1', stop: 'END', max_completion_tokens: 500 }),
      );
      const r = inv.result as any;
      const span = onlyModel(inv);
      expect(span.name).toBe('chat o4-mini');
      expect(r.usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0);
      expect(r.usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(0);
      expect(span.attributes).toMatchObject({
        'gen_ai.response.model': 'o4-mini-2025-04-16',
        'gen_ai.request.max_tokens': 500,
        'gen_ai.request.stop_sequences': ['END'],
        'gen_ai.usage.reasoning.output_tokens': r.usage.completion_tokens_details.reasoning_tokens,
        'gen_ai.usage.cache_read.input_tokens': r.usage.prompt_tokens_details.cached_tokens,
        'gen_ai.usage.input_tokens': r.usage.prompt_tokens,
        'gen_ai.usage.output_tokens': r.usage.completion_tokens,
      });
      expect(span.attributes['gen_ai.request.choice.count']).toBeUndefined();
      expect(span.attributes['openai.request.service_tier']).toBeUndefined();
      expect(span.attributes['openai.response.service_tier']).toBeUndefined();
    });

    it('finish reason length and content_filter add llm.response.truncated and leave the status UNSET', async () => {
      for (const reason of ['length', 'content_filter'] as const) {
        env.server.script({ kind: 'finish', reason });
        const inv = await invoke(env, () => c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }));
        expect((inv.result as any).choices[0].finish_reason).toBe(reason);
        const span = onlyModel(inv);
        expect(span.attributes['gen_ai.response.finish_reasons']).toEqual([reason]);
        expect(span.status.code).toBe('UNSET');
        expect(span.attributes['error.type']).toBeUndefined();
        const events = span.events.filter((e) => e.name === 'llm.response.truncated');
        expect(events).toHaveLength(1);
        expect(events[0]!.attributes['gen_ai.response.finish_reasons']).toEqual([reason]);
      }
      env.server.script({ kind: 'finish', reason: 'tool_calls' });
      const tools = await invoke(env, () => c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }));
      const span = onlyModel(tools);
      expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_call']);
      expect(span.events).toEqual([]);
    });

    it('withResponse() and asResponse() still work; _request_id is readable', async () => {
      const inv = await invoke(env, async () => {
        const promise = c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
        const { data, response, request_id } = await promise.withResponse();
        expect(data.choices[0].message.content).toContain('ZEPHYR');
        expect(request_id).toBe(response.headers.get('x-request-id'));
        expect(data._request_id).toBe(request_id);
        // asResponse: the body is untouched, the caller reads it.
        const raw = await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }).asResponse();
        const json = await raw.json();
        expect(json.choices[0].message.content).toBe(data.choices[0].message.content);
        return { request_id, rawId: raw.headers.get('x-request-id') };
      });
      expect(inv.error).toBeUndefined();
      const { request_id, rawId } = inv.result!;
      expect(inv.models).toHaveLength(2);
      const [first, second] = inv.models.sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
      expect(first!.attributes['llm.openai.request_id']).toBe(request_id);
      expect(first!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      // Read only as a raw Response: the span still ends (exported at all: the invocation ended it) with the request id.
      expect(second!.attributes['llm.openai.request_id']).toBe(rawId);
      expect(second!.attributes['llm.stream.outcome']).toBeUndefined();
      expectCleanTelemetry(env);
    });
  });

  describe('responses.create', () => {
    it('plain: chat span with api type responses, usage, instructions not recorded', async () => {
      const inv = await invoke(env, () =>
        c.responses.create({
          model: 'gpt-4o-mini',
          input: PROMPT,
          instructions: 'Be brief.',
          max_output_tokens: 300,
          temperature: 0.5,
          top_p: 0.8,
          service_tier: 'flex',
        }),
      );
      const r = inv.result as any;
      expect(r.output_text).toContain('ZEPHYR');
      expect(r._request_id).toMatch(/^req_/);
      const span = onlyModel(inv);
      expect(span.name).toBe('chat gpt-4o-mini');
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'openai.api.type': 'responses',
        'gen_ai.request.stream': false,
        'gen_ai.request.max_tokens': 300,
        'gen_ai.request.temperature': 0.5,
        'gen_ai.request.top_p': 0.8,
        'openai.request.service_tier': 'flex',
        'openai.response.service_tier': 'flex',
        'gen_ai.response.id': r.id,
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': r.usage.input_tokens,
        'gen_ai.usage.output_tokens': r.usage.output_tokens,
        'llm.openai.request_id': r._request_id,
      });
      expect(inv.attempts(span).map((s) => s.name)).toEqual(['POST /v1/responses']);
      expect(normalize(r)).toEqual(
        normalize(
          await plain.responses.create({
            model: 'gpt-4o-mini',
            input: PROMPT,
            instructions: 'Be brief.',
            max_output_tokens: 300,
            temperature: 0.5,
            top_p: 0.8,
            service_tier: 'flex',
          }),
        ),
      );
    });

    it('reasoning and cached tokens; incomplete responses are truncated, not errors', async () => {
      const inv = await invoke(env, () => c.responses.create({ model: 'gpt-5-mini', input: PROMPT, prompt_cache_key: 'k' }));
      const r = inv.result as any;
      const span = onlyModel(inv);
      expect(span.name).toBe('chat gpt-5-mini');
      expect(r.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
      expect(span.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(r.usage.output_tokens_details.reasoning_tokens);
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(r.usage.input_tokens_details.cached_tokens);
      expect(r.usage.input_tokens_details.cached_tokens).toBeGreaterThan(0);

      for (const [reason, finish] of [
        ['length', 'length'],
        ['content_filter', 'content_filter'],
      ] as const) {
        env.server.script({ kind: 'finish', reason });
        const cut = await invoke(env, () => c.responses.create({ model: 'gpt-4o-mini', input: PROMPT }));
        expect((cut.result as any).status).toBe('incomplete');
        const s = onlyModel(cut);
        expect(s.attributes['gen_ai.response.finish_reasons']).toEqual([finish]);
        expect(s.events.map((e) => e.name)).toEqual(['llm.response.truncated']);
        expect(s.status.code).toBe('UNSET');
      }
    });
  });

  describe('embeddings.create', () => {
    it('float: embeddings span with dimension count and input tokens', async () => {
      const inv = await invoke(env, () =>
        c.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float', dimensions: 8 }),
      );
      const r = inv.result as any;
      expect(r.data[0].embedding).toHaveLength(8);
      const span = onlyModel(inv);
      expect(span.name).toBe('embeddings text-embedding-3-small');
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'text-embedding-3-small',
        'gen_ai.request.encoding_formats': ['float'],
        'gen_ai.embeddings.dimension.count': 8,
        'gen_ai.response.model': 'text-embedding-3-small',
        'gen_ai.usage.input_tokens': r.usage.prompt_tokens,
        'server.address': '127.0.0.1',
        'server.port': env.server.port,
      });
      expect(inv.attempts(span).map((s) => s.name)).toEqual(['POST /v1/embeddings']);
      expect(normalize(r)).toEqual(
        normalize(await plain.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float', dimensions: 8 })),
      );
    });

    it('base64, explicit and the SDK default: results as untraced, dimensions still counted', async () => {
      const inv = await invoke(env, async () => [
        await c.embeddings.create({ model: 'text-embedding-3-small', input: 'gamma', encoding_format: 'base64', dimensions: 5 }),
        await c.embeddings.create({ model: 'text-embedding-3-large', input: 'gamma' }),
      ]);
      const [b64, dflt] = inv.result as any[];
      expect(typeof b64.data[0].embedding).toBe('string');
      expect(dflt.data[0].embedding).toHaveLength(3072);
      expect(normalize(b64)).toEqual(
        normalize(await plain.embeddings.create({ model: 'text-embedding-3-small', input: 'gamma', encoding_format: 'base64', dimensions: 5 })),
      );
      expect(normalize(dflt)).toEqual(normalize(await plain.embeddings.create({ model: 'text-embedding-3-large', input: 'gamma' })));
      expect(inv.models).toHaveLength(2);
      const small = inv.models.find((s) => s.name === 'embeddings text-embedding-3-small')!;
      const large = inv.models.find((s) => s.name === 'embeddings text-embedding-3-large')!;
      expect(small.attributes['gen_ai.request.encoding_formats']).toEqual(['base64']);
      expect(small.attributes['gen_ai.embeddings.dimension.count']).toBe(5);
      expect(large.attributes['gen_ai.embeddings.dimension.count']).toBe(3072);
    });
  });

  describe('helpers: one span each, same results as untraced', () => {
    const parseParams = () => ({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
      response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true, schema: SCHEMA } },
    });

    it('chat.completions.parse', async () => {
      const inv = await invoke(env, () => major.chatHelpers(c).parse(parseParams()));
      const r = inv.result as any;
      expect(r.choices[0].message.parsed).toEqual({ city: 'ZEPHYR', population: 42 });
      expect(r._request_id).toMatch(/^req_/);
      expect(normalize(r)).toEqual(normalize(await major.chatHelpers(plain).parse(parseParams())));
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({ 'gen_ai.output.type': 'json', 'gen_ai.request.stream': false, 'llm.openai.request_id': r._request_id });
      expect(inv.attempts(span)).toHaveLength(1);
    });

    it('chat.completions.stream()', async () => {
      const run = async (cl: AnyClient) => {
        const runner = major.chatHelpers(cl).stream({ model: 'gpt-4o-mini', messages: MESSAGES });
        const deltas: string[] = [];
        const chunks: unknown[] = [];
        runner.on('content', (d: string) => deltas.push(d));
        runner.on('chunk', (ch: unknown) => chunks.push(ch));
        const final = await runner.finalChatCompletion();
        return { final, deltas, chunks };
      };
      const inv = await invoke(env, () => run(c));
      const mine = inv.result!;
      const theirs = await run(plain);
      expect(mine.deltas.join('')).toContain('ZEPHYR');
      expect(normalize(mine)).toEqual(normalize(theirs));
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({
        'gen_ai.request.stream': true,
        'llm.stream.outcome': 'completed',
        'llm.stream.chunk_count': theirs.chunks.length,
        'gen_ai.usage.output_tokens': expect.any(Number),
      });
      expectCleanTelemetry(env);
    });

    it('responses.parse', async () => {
      const params = () => ({ model: 'gpt-4o-mini', input: PROMPT, text: { format: { type: 'json_schema', name: 'city', strict: true, schema: SCHEMA } } });
      const inv = await invoke(env, () => c.responses.parse(params()));
      const r = inv.result as any;
      expect(r.output_parsed).toEqual({ city: 'ZEPHYR', population: 42 });
      expect(r._request_id).toMatch(/^req_/);
      expect(normalize(r)).toEqual(normalize(await plain.responses.parse(params())));
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({ 'openai.api.type': 'responses', 'gen_ai.output.type': 'json', 'gen_ai.response.id': r.id });
    });

    it('responses.stream()', async () => {
      const run = async (cl: AnyClient) => {
        const stream = cl.responses.stream({ model: 'gpt-4o-mini', input: PROMPT });
        const events: any[] = [];
        stream.on('event', (e: any) => events.push(e));
        const final = await stream.finalResponse();
        return { final, types: events.map((e) => e.type) };
      };
      const inv = await invoke(env, () => run(c));
      const mine = inv.result!;
      const theirs = await run(plain);
      expect(mine.final.status).toBe('completed');
      expect(normalize(mine)).toEqual(normalize(theirs));
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({
        'openai.api.type': 'responses',
        'gen_ai.request.stream': true,
        'llm.stream.outcome': 'completed',
        'llm.stream.chunk_count': theirs.types.length,
        'gen_ai.response.id': mine.final.id,
        'gen_ai.usage.input_tokens': mine.final.usage.input_tokens,
        'gen_ai.usage.output_tokens': mine.final.usage.output_tokens,
        'gen_ai.response.finish_reasons': ['stop'],
      });
      expectCleanTelemetry(env);
    });

    it('runTools(): one span per model turn', async () => {
      const run = (cl: AnyClient) =>
        major
          .chatHelpers(cl)
          .runTools({
            model: 'gpt-4o-mini',
            messages: MESSAGES,
            tool_choice: 'required',
            tools: [{ type: 'function', function: { name: 'get_city', parameters: SCHEMA, parse: JSON.parse, function: () => 'sunny' } }],
          })
          .finalContent();
      const inv = await invoke(env, () => run(c));
      expect(inv.result).toBe(await run(plain));
      expect(inv.models.map((s) => s.attributes['gen_ai.response.finish_reasons'])).toEqual([['tool_call'], ['stop']]);
    });
  });

  it('streams as raw create: responses stream span with usage from the final event', async () => {
    const inv = await invoke(env, async () => collect(await c.responses.create({ model: 'o4-mini', input: PROMPT, stream: true })));
    const events = inv.result as any[];
    const done = events.at(-1);
    expect(done.type).toBe('response.completed');
    const span = onlyModel(inv);
    expect(span.attributes).toMatchObject({
      'openai.api.type': 'responses',
      'gen_ai.request.stream': true,
      'gen_ai.response.id': done.response.id,
      'gen_ai.response.model': 'o4-mini-2025-04-16',
      'gen_ai.usage.input_tokens': done.response.usage.input_tokens,
      'gen_ai.usage.output_tokens': done.response.usage.output_tokens,
      'gen_ai.usage.reasoning.output_tokens': done.response.usage.output_tokens_details.reasoning_tokens,
      'llm.stream.outcome': 'completed',
      'llm.stream.chunk_count': events.length,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });
});
