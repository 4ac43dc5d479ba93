/**
 * The local OpenAI-compatible server (tools/openai-server/) driven by the real `openai` SDK, majors 4–7,
 * over HTTP. Asserts observable results (payloads, request counts, error classes), never timing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI4 from 'openai4';
import OpenAI5 from 'openai5';
import OpenAI6 from 'openai6';
import OpenAI7 from 'openai7';
import { MARKER, resolveModel, sampleFromSchema, startOpenAIServer } from '../../tools/openai-server/index.ts';
import type { OpenAIServer } from '../../tools/openai-server/index.ts';

// The four majors have incompatible static types; the tests exercise them through one loose shape.
type AnyClient = any;
type SdkCtor = new (opts: Record<string, unknown>) => AnyClient;

interface Major {
  name: string;
  OpenAI: SdkCtor & Record<string, any>;
  /** Where parse/stream/runTools live: `beta.chat.completions` in v4, `chat.completions` from v5. */
  helpers: (c: AnyClient) => AnyClient;
  /** What a socket reset in the middle of an SSE body throws (the SDK does not wrap it). */
  midStreamReset: { ctor: string; message: RegExp };
}

const MAJORS: Major[] = [
  {
    name: 'openai4',
    OpenAI: OpenAI4 as any,
    helpers: (c) => c.beta.chat.completions,
    // node-fetch v2 (the v4 Node shim) surfaces a broken chunked body as a plain Error.
    midStreamReset: { ctor: 'Error', message: /^Premature close$/ },
  },
  {
    name: 'openai5',
    OpenAI: OpenAI5 as any,
    helpers: (c) => c.chat.completions,
    // Node's fetch (undici): TypeError('terminated') with cause SocketError('other side closed').
    midStreamReset: { ctor: 'TypeError', message: /^terminated$/ },
  },
  {
    name: 'openai6',
    OpenAI: OpenAI6 as any,
    helpers: (c) => c.chat.completions,
    midStreamReset: { ctor: 'TypeError', message: /^terminated$/ },
  },
  {
    name: 'openai7',
    OpenAI: OpenAI7 as any,
    helpers: (c) => c.chat.completions,
    midStreamReset: { ctor: 'TypeError', message: /^terminated$/ },
  },
];

const PROMPT = 'Tell me about the PROMPTSECRET-7731 lighthouse keeper.';
const MESSAGES = [{ role: 'user', content: PROMPT }];
const SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    population: { type: 'integer' },
    coastal: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['city', 'population', 'coastal', 'tags'],
  additionalProperties: false,
};
const WEATHER_TOOL_PARAMS = {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
  required: ['city', 'unit'],
  additionalProperties: false,
};

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function caught(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('openai-server: plain HTTP', () => {
  let server: OpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('listens on loopback and refuses other hosts', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(server.port).toBeGreaterThan(0);
    await expect(startOpenAIServer({ host: '0.0.0.0' })).rejects.toThrow(/non-loopback/);
  });

  it('sends OpenAI-style headers with a unique request id', async () => {
    const a = await fetch(`${server.url}/models`);
    const b = await fetch(`${server.url}/models`);
    for (const r of [a, b]) {
      expect(r.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
      expect(r.headers.get('openai-version')).toBe('2020-10-01');
      expect(Number(r.headers.get('openai-processing-ms'))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get('content-type')).toBe('application/json');
    }
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it('answers unknown paths and bad JSON with OpenAI-style errors', async () => {
    const r = await fetch(`${server.url}/nope`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({
      error: { message: 'Invalid URL (POST /v1/nope)', type: 'invalid_request_error', param: null, code: null },
    });
    const bad = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.type).toBe('invalid_request_error');
    expect(server.requests.at(-1)?.body).toBe('{not json');
  });

  it('records requests and applies scripted faults in order, one per request', async () => {
    server.clear();
    server.script({ kind: 'status', status: 418, message: 'teapot' }, { kind: 'status', status: 503 });
    const first = await fetch(`${server.url}/models`);
    const second = await fetch(`${server.url}/models`);
    const third = await fetch(`${server.url}/models`);
    expect([first.status, second.status, third.status]).toEqual([418, 503, 200]);
    expect(((await first.json()) as any).error.message).toBe('teapot');
    expect(((await second.json()) as any).error.type).toBe('server_error');
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models', 'GET /v1/models', 'GET /v1/models']);
  });

  it('dates model names and fills JSON schemas deterministically', () => {
    expect(resolveModel('gpt-4o-mini')).toBe('gpt-4o-mini-2024-07-18');
    expect(resolveModel('gpt-4o-2024-08-06')).toBe('gpt-4o-2024-08-06');
    expect(resolveModel('my-model')).toMatch(/^my-model-\d{4}-\d{2}-\d{2}$/);
    expect(sampleFromSchema(SCHEMA)).toEqual({ city: MARKER, population: 42, coastal: true, tags: [MARKER] });
    expect(
      sampleFromSchema({
        type: 'object',
        properties: { p: { $ref: '#/$defs/P' }, kind: { enum: ['x', 'y'] }, maybe: { anyOf: [{ type: 'null' }, { type: 'number' }] } },
        required: ['p', 'kind', 'maybe'],
        $defs: { P: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
      }),
    ).toEqual({ p: { q: MARKER }, kind: 'x', maybe: 42.5 });
  });

  it('close() tears down a stream that is in flight', async () => {
    const slow = await startOpenAIServer({ chunkDelayMs: 50 });
    const res = await fetch(`${slow.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }),
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    await slow.close();
    const err = await caught(async () => {
      for (;;) {
        const { done } = await reader.read();
        if (done) throw new Error('stream ended cleanly after close()');
      }
    });
    expect(String(err)).toMatch(/terminated|closed|reset|aborted/i);
  });
});

describe.each(MAJORS)('$name against the local server', (major) => {
  let server: OpenAIServer;
  let client: AnyClient;
  const { OpenAI } = major;

  beforeAll(async () => {
    server = await startOpenAIServer();
    client = new OpenAI({ apiKey: 'sk-test-not-a-real-key', baseURL: server.url, maxRetries: 2, timeout: 10_000 });
  });
  afterEach(() => server.clear());
  afterAll(async () => {
    await server.close();
  });

  describe('chat completions', () => {
    it('plain: deterministic completion with the marker, dated model, full usage, request id', async () => {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, service_tier: 'auto' }).withResponse();
      expect(data.id).toMatch(/^chatcmpl-/);
      expect(data.object).toBe('chat.completion');
      expect(data.model).toBe('gpt-4o-mini-2024-07-18');
      expect(data.system_fingerprint).toMatch(/^fp_/);
      expect(data.service_tier).toBe('default');
      expect(data.choices).toHaveLength(1);
      const content: string = data.choices[0].message.content;
      expect(content).toContain(MARKER);
      expect(content).not.toContain('PROMPTSECRET');
      expect(data.choices[0].finish_reason).toBe('stop');
      expect(data.usage).toMatchObject({
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        total_tokens: data.usage.prompt_tokens + data.usage.completion_tokens,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      });
      expect(data._request_id).toBe(response.headers.get('x-request-id'));
      expect(data._request_id).toMatch(/^req_[0-9a-f]{32}$/);

      const again = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      expect(again.choices[0].message.content).toBe(content);
      expect(again.usage).toEqual(data.usage);
      expect(again._request_id).not.toBe(data._request_id);

      const recorded = server.requests.at(-1)!;
      expect(recorded).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: MESSAGES } });
      expect(recorded.headers['authorization']).toBe('Bearer sk-test-not-a-real-key');
    });

    it('reasoning models report reasoning tokens; n > 1 gives several choices', async () => {
      const r = await client.chat.completions.create({ model: 'o4-mini', messages: MESSAGES, n: 3 });
      expect(r.model).toBe('o4-mini-2025-04-16');
      expect(r.choices.map((c: any) => c.index)).toEqual([0, 1, 2]);
      expect(new Set(r.choices.map((c: any) => c.message.content)).size).toBe(3);
      expect(r.usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0);
      expect(r.usage.completion_tokens).toBeGreaterThan(r.usage.completion_tokens_details.reasoning_tokens);
    });

    it('stream with include_usage: role chunk, content deltas, finish chunk, usage chunk', async () => {
      const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(stream.controller).toBeInstanceOf(AbortController);
      const chunks: any[] = await collect(stream);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      const contentChunks = chunks.filter((c) => c.choices[0]?.delta?.content);
      expect(contentChunks.length).toBeGreaterThanOrEqual(5);
      expect(contentChunks.map((c) => c.choices[0].delta.content).join('')).toBe(plain.choices[0].message.content);
      const finish = chunks.find((c) => c.choices[0]?.finish_reason);
      expect(finish.choices[0].finish_reason).toBe('stop');
      const last = chunks.at(-1);
      expect(last.choices).toEqual([]);
      expect(last.usage).toEqual(plain.usage);
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(chunks.every((c) => c.model === 'gpt-4o-mini-2024-07-18' && c.object === 'chat.completion.chunk')).toBe(true);
    });

    it('stream without include_usage has no usage chunk', async () => {
      const chunks: any[] = await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }));
      expect(chunks.every((c) => !c.usage)).toBe(true);
      expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
    });

    it('stream tee() and toReadableStream() work', async () => {
      const [left, right] = (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })).tee();
      const [l, r] = await Promise.all([collect(left), collect(right)]);
      expect(l.length).toBeGreaterThan(3);
      expect(r).toEqual(l);
      const readable = (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })).toReadableStream();
      const text = await new Response(readable).text();
      expect(text.trim().split('\n').length).toBe(l.length);
    });

    it('break out of a stream aborts the request controller', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true });
      for await (const _chunk of stream) break;
      expect(stream.controller.signal.aborted).toBe(true);
    });

    it('parse() with a raw json_schema response_format returns .parsed', async () => {
      const completion = await major.helpers(client).parse({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true, schema: SCHEMA } },
      });
      expect(completion.choices[0].message.parsed).toEqual({ city: MARKER, population: 42, coastal: true, tags: [MARKER] });
      expect(server.requests.at(-1)?.headers['x-stainless-helper-method']).toMatch(/chat\.completions\.parse$/);
    });

    it('stream() helper yields content events and a final completion', async () => {
      const runner = major.helpers(client).stream({ model: 'gpt-4o-mini', messages: MESSAGES });
      const deltas: string[] = [];
      runner.on('content', (delta: string) => deltas.push(delta));
      const final = await runner.finalChatCompletion();
      expect(final.choices[0].message.content).toContain(MARKER);
      expect(deltas.join('')).toBe(final.choices[0].message.content);
      expect(server.requests.at(-1)?.headers['x-stainless-helper-method']).toBe('stream');
      expect((server.requests.at(-1)!.body as any).stream).toBe(true);
    });

    it('tools: tool_choice "required" returns a tool call with finish_reason tool_calls', async () => {
      const r = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_TOOL_PARAMS } }],
        tool_choice: 'required',
      });
      const choice = r.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBeNull();
      expect(choice.message.tool_calls[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      expect(choice.message.tool_calls[0].id).toMatch(/^call_/);
      expect(JSON.parse(choice.message.tool_calls[0].function.arguments)).toEqual({ city: MARKER, unit: 'c' });

      const named = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        stream: true,
        tools: [
          { type: 'function', function: { name: 'other', parameters: { type: 'object', properties: {} } } },
          { type: 'function', function: { name: 'get_weather', parameters: WEATHER_TOOL_PARAMS } },
        ],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      const chunks: any[] = await collect(named);
      const args = chunks.map((c) => c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '').join('');
      expect(JSON.parse(args)).toEqual({ city: MARKER, unit: 'c' });
      expect(chunks[0].choices[0].delta.tool_calls[0].function.name).toBe('get_weather');
      expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
    });

    it('runTools() calls the tool, then gets a text answer', async () => {
      const calls: unknown[] = [];
      const runner = major.helpers(client).runTools({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        tool_choice: 'required',
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              parameters: WEATHER_TOOL_PARAMS,
              parse: JSON.parse,
              function: (args: unknown) => {
                calls.push(args);
                return 'sunny';
              },
            },
          },
        ],
      });
      const content = await runner.finalContent();
      expect(calls).toEqual([{ city: MARKER, unit: 'c' }]);
      expect(content).toContain(MARKER);
      expect(server.requests).toHaveLength(2);
      expect(server.requests.every((r) => r.headers['x-stainless-helper-method'] === 'runTools')).toBe(true);
    });
  });

  describe('responses', () => {
    it('plain: output message with output_text, usage and status', async () => {
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT, instructions: 'Be brief.' });
      expect(r.id).toMatch(/^resp_/);
      expect(r.object).toBe('response');
      expect(r.status).toBe('completed');
      expect(r.incomplete_details).toBeNull();
      expect(r.model).toBe('gpt-4o-mini-2024-07-18');
      expect(r.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
      expect(r.output[0].content[0].type).toBe('output_text');
      expect(r.output_text).toContain(MARKER);
      expect(r.output_text).not.toContain('PROMPTSECRET');
      expect(r.usage).toMatchObject({
        input_tokens: expect.any(Number),
        output_tokens: expect.any(Number),
        total_tokens: r.usage.input_tokens + r.usage.output_tokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      });
      expect(r._request_id).toMatch(/^req_/);
      const again = await client.responses.retrieve(r.id);
      expect(again.id).toBe(r.id);
      // v4's retrieve() does not add the SDK-computed `output_text`; compare the wire content.
      expect(again.output[0].content[0].text).toBe(r.output_text);
    });

    it('reasoning models put a reasoning item first and count reasoning tokens', async () => {
      const r = await client.responses.create({ model: 'o4-mini', input: PROMPT, prompt_cache_key: 'k1' });
      expect(r.output.map((o: any) => o.type)).toEqual(['reasoning', 'message']);
      expect(r.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
      expect(r.usage.input_tokens_details.cached_tokens).toBeGreaterThan(0);
      expect(r.output_text).toContain(MARKER);
    });

    it('stream: the documented event sequence with increasing sequence numbers', async () => {
      const events: any[] = await collect(await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT, stream: true }));
      const types = events.map((e) => e.type);
      const deltas = types.filter((t) => t === 'response.output_text.delta').length;
      expect(deltas).toBeGreaterThanOrEqual(5);
      expect(types).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        ...Array<string>(deltas).fill('response.output_text.delta'),
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      const text = events
        .filter((e) => e.type === 'response.output_text.delta')
        .map((e) => e.delta)
        .join('');
      const completed = events.at(-1).response;
      expect(completed.status).toBe('completed');
      expect(completed.output[0].content[0].text).toBe(text);
      expect(completed.usage.total_tokens).toBeGreaterThan(0);
      expect(events[0].response.status).toBe('in_progress');
    });

    it('parse() with text.format json_schema returns output_parsed', async () => {
      const r = await client.responses.parse({
        model: 'gpt-4o-mini',
        input: PROMPT,
        text: { format: { type: 'json_schema', name: 'city', strict: true, schema: SCHEMA } },
      });
      expect(r.output_parsed).toEqual({ city: MARKER, population: 42, coastal: true, tags: [MARKER] });
    });

    it('stream() helper produces a final response', async () => {
      const stream = client.responses.stream({ model: 'gpt-4o-mini', input: PROMPT });
      const deltas: string[] = [];
      stream.on('response.output_text.delta', (e: any) => deltas.push(e.delta));
      const final = await stream.finalResponse();
      expect(final.status).toBe('completed');
      expect(final.output[0].content[0].text).toBe(deltas.join(''));
      expect(final.output[0].content[0].text).toContain(MARKER);
      expect((server.requests.at(-1)!.body as any).stream).toBe(true);
    });

    it('function tools: tool_choice required gives a function_call item', async () => {
      const tools = [{ type: 'function', name: 'get_weather', parameters: WEATHER_TOOL_PARAMS, strict: true }];
      const r = await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT, tools, tool_choice: 'required' });
      expect(r.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
      expect(JSON.parse(r.output[0].arguments)).toEqual({ city: MARKER, unit: 'c' });
      const events: any[] = await collect(await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT, tools, tool_choice: 'required', stream: true }));
      const args = events
        .filter((e) => e.type === 'response.function_call_arguments.delta')
        .map((e) => e.delta)
        .join('');
      expect(JSON.parse(args)).toEqual({ city: MARKER, unit: 'c' });
      expect(events.some((e) => e.type === 'response.function_call_arguments.done')).toBe(true);
    });
  });

  describe('embeddings and models', () => {
    it('float, explicit base64 and the SDK default (base64 on the wire, decoded) agree', async () => {
      const float = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: ['alpha', 'beta'],
        encoding_format: 'float',
        dimensions: 8,
      });
      expect(float.object).toBe('list');
      expect(float.model).toBe('text-embedding-3-small');
      expect(float.data.map((d: any) => d.index)).toEqual([0, 1]);
      expect(float.data[0].embedding).toHaveLength(8);
      expect(float.usage.prompt_tokens).toBeGreaterThanOrEqual(2);
      expect(float.usage.total_tokens).toBe(float.usage.prompt_tokens);

      const b64 = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: ['alpha', 'beta'],
        encoding_format: 'base64',
        dimensions: 8,
      });
      expect(typeof b64.data[0].embedding).toBe('string');
      const buf = Buffer.from(b64.data[0].embedding, 'base64');
      const decoded = Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4));
      expect(decoded).toEqual(float.data[0].embedding);

      server.clear();
      const dflt = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 8 });
      expect((server.requests[0]!.body as any).encoding_format).toBe('base64');
      expect(Array.from(dflt.data[1].embedding as number[])).toEqual(float.data[1].embedding);

      const single = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'gamma', encoding_format: 'float' });
      expect(single.data).toHaveLength(1);
      expect(single.data[0].embedding).toHaveLength(3072);
    });

    it('models list and an unknown path', async () => {
      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      expect(ids).toContain('gpt-4o-mini');
      const err = await caught(() => client.get('/nope'));
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect(err.status).toBe(404);
    });
  });

  describe('faults', () => {
    it('429 with retry-after, then 200: the SDK retries once', async () => {
      server.script({ kind: 'status', status: 429, retryAfterSeconds: 0.01 });
      const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      expect(r.choices[0].message.content).toContain(MARKER);
      expect(server.requests).toHaveLength(2);
      expect(server.requests.map((q) => q.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
    });

    it('429 with maxRetries 0 is a RateLimitError carrying the request id', async () => {
      server.script({ kind: 'status', status: 429, retryAfterMs: 5 });
      const err = await caught(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }, { maxRetries: 0 }));
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect(err.status).toBe(429);
      expect(err.code).toBe('rate_limit_exceeded');
      expect(err.type).toBe('requests');
      expect(err.request_id ?? err.requestID).toMatch(/^req_/);
      expect(server.requests).toHaveLength(1);
    });

    it('500 twice: the SDK retries, then throws InternalServerError', async () => {
      server.script({ kind: 'status', status: 500, retryAfterMs: 5 }, { kind: 'status', status: 500, retryAfterMs: 5 });
      const err = await caught(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }, { maxRetries: 1 }));
      expect(err).toBeInstanceOf(OpenAI.InternalServerError);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err.status).toBe(500);
      expect(err.type).toBe('server_error');
      expect(err.message).toMatch(/^500 /);
      expect(server.requests).toHaveLength(2);
    });

    it('reset: APIConnectionError without retries; retried transparently with retries', async () => {
      server.script({ kind: 'reset' });
      const err = await caught(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }, { maxRetries: 0 }));
      expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(err).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
      expect(err.message).toBe('Connection error.');
      expect(err.status).toBeUndefined();

      server.clear();
      server.script({ kind: 'reset' });
      const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }, { maxRetries: 1 });
      expect(r.choices[0].message.content).toContain(MARKER);
      expect(server.requests).toHaveLength(2);
    });

    it('delay longer than the timeout: APIConnectionTimeoutError', async () => {
      server.script({ kind: 'delay', ms: 1500 });
      const err = await caught(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }, { maxRetries: 0, timeout: 200 }));
      expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    });

    it('delay and slowFirstChunk still deliver complete results', async () => {
      server.script({ kind: 'delay', ms: 20 }, { kind: 'slowFirstChunk', ms: 20 }, { kind: 'slowFirstChunk', ms: 20 });
      const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      expect(r.choices[0].finish_reason).toBe('stop');
      const chunks: any[] = await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }));
      expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
      const nonStream = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'float' });
      expect(nonStream.data).toHaveLength(1);
    });

    it(`midStreamReset: chunks, then ${major.midStreamReset.ctor}(${major.midStreamReset.message.source}) from iteration`, async () => {
      server.script({ kind: 'midStreamReset', afterChunks: 3 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true });
      const seen: unknown[] = [];
      const err = await caught(async () => {
        for await (const chunk of stream) seen.push(chunk);
      });
      expect(seen).toHaveLength(3);
      expect(err.constructor.name).toBe(major.midStreamReset.ctor);
      expect(err.message).toMatch(major.midStreamReset.message);
      expect(err).not.toBeInstanceOf(OpenAI.APIError); // not wrapped by the SDK

      server.script({ kind: 'midStreamReset', afterChunks: 2 });
      const events: unknown[] = [];
      const rErr = await caught(async () => {
        for await (const e of await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT, stream: true })) events.push(e);
      });
      expect(events).toHaveLength(2);
      expect(rErr.message).toMatch(major.midStreamReset.message);
    });

    it('midStreamError: chunks, then an APIError without status', async () => {
      server.script({ kind: 'midStreamError', afterChunks: 2 });
      const seen: unknown[] = [];
      const err = await caught(async () => {
        for await (const c of await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })) seen.push(c);
      });
      expect(seen).toHaveLength(2);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err.status).toBeUndefined();
      expect(err.type).toBe('server_error');
      expect(err.message).toMatch(/The server had an error/);

      server.script({ kind: 'midStreamError', afterChunks: 4 });
      const events: unknown[] = [];
      const rErr = await caught(async () => {
        for await (const e of await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT, stream: true })) events.push(e);
      });
      expect(events).toHaveLength(4);
      expect(rErr).toBeInstanceOf(OpenAI.APIError);
      expect(rErr.code).toBe('server_error');
    });

    it('finish length / content_filter / tool_calls on chat completions', async () => {
      const full = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      server.script({ kind: 'finish', reason: 'length' });
      const cut = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      expect(cut.choices[0].finish_reason).toBe('length');
      expect(cut.choices[0].message.content).toContain(MARKER);
      expect(full.choices[0].message.content.startsWith(cut.choices[0].message.content)).toBe(true);
      expect(cut.usage.completion_tokens).toBeLessThan(full.usage.completion_tokens);

      server.script({ kind: 'finish', reason: 'length' });
      const chunks: any[] = await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }));
      expect(chunks.at(-1).choices[0].finish_reason).toBe('length');

      server.script({ kind: 'finish', reason: 'content_filter' });
      const filtered = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      expect(filtered.choices[0].finish_reason).toBe('content_filter');

      server.script({ kind: 'finish', reason: 'tool_calls' });
      const tooled = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      expect(tooled.choices[0].finish_reason).toBe('tool_calls');
      expect(tooled.choices[0].message.tool_calls).toHaveLength(1);

      const natural = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 3 });
      expect(natural.choices[0].finish_reason).toBe('length');
      expect(natural.usage.completion_tokens).toBe(3);

      server.script({ kind: 'finish', reason: 'length' });
      const parseErr = await caught(() =>
        major.helpers(client).parse({
          model: 'gpt-4o-mini',
          messages: MESSAGES,
          response_format: { type: 'json_schema', json_schema: { name: 'city', schema: SCHEMA } },
        }),
      );
      expect(parseErr.constructor.name).toBe('LengthFinishReasonError');
    });

    it('finish length / content_filter on responses: status incomplete', async () => {
      server.script({ kind: 'finish', reason: 'length' }, { kind: 'finish', reason: 'content_filter' });
      const cut = await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT });
      expect(cut.status).toBe('incomplete');
      expect(cut.incomplete_details).toEqual({ reason: 'max_output_tokens' });
      expect(cut.output_text).toContain(MARKER);
      const filtered = await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT });
      expect(filtered.incomplete_details).toEqual({ reason: 'content_filter' });

      server.script({ kind: 'finish', reason: 'length' });
      const events: any[] = await collect(await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT, stream: true }));
      expect(events.at(-1).type).toBe('response.incomplete');
      expect(events.at(-1).response.incomplete_details.reason).toBe('max_output_tokens');

      const natural = await client.responses.create({ model: 'gpt-4o-mini', input: PROMPT, max_output_tokens: 2 });
      expect(natural.status).toBe('incomplete');
      expect(natural.usage.output_tokens).toBe(2);
    });
  });
});
