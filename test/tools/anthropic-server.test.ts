/**
 * The local Anthropic-compatible server (tools/anthropic-server/) driven by the real `@anthropic-ai/sdk`, lines
 * 0.39, 0.59 and 1.x, over HTTP. Asserts what the SDK hands the caller (messages, events, error classes and types,
 * request counts), never timing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Anthropic03 from 'anthropic03';
import Anthropic05 from 'anthropic05';
import Anthropic1 from 'anthropic1';
import { MARKER, startAnthropicServer } from '../../tools/anthropic-server/index.ts';
import type { AnthropicServer } from '../../tools/anthropic-server/index.ts';

// The lines have incompatible static types; the tests drive them through one loose shape.
type AnyClient = any;
interface Line {
  name: string;
  Anthropic: (new (opts: Record<string, unknown>) => AnyClient) & Record<string, any>;
  /** What a mid-stream `error` event becomes: 0.3x wraps the raw JSON in a connection error. */
  streamErrorType: (err: any) => string | undefined;
  reset: RegExp;
}

const LINES: Line[] = [
  { name: 'anthropic03', Anthropic: Anthropic03 as any, streamErrorType: (e) => JSON.parse(e.message).error.type, reset: /Premature close/ },
  { name: 'anthropic05', Anthropic: Anthropic05 as any, streamErrorType: (e) => e.error?.error?.type, reset: /terminated/ },
  { name: 'anthropic1', Anthropic: Anthropic1 as any, streamErrorType: (e) => e.error?.error?.type, reset: /terminated/ },
];

const MODEL = 'claude-sonnet-4-5';
const MESSAGES = [{ role: 'user', content: 'Tell me about the PROMPTSECRET-7731 lighthouse keeper.' }];
const WEATHER = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

let server: AnthropicServer;
beforeAll(async () => {
  server = await startAnthropicServer();
});
afterAll(() => server.close());
beforeEach(() => server.clear());

describe.each(LINES)('$name against the local server', (line) => {
  const client = (opts: Record<string, unknown> = {}) =>
    new line.Anthropic({ apiKey: 'sk-ant-test', baseURL: server.url, maxRetries: 2, openTelemetry: false, ...opts });

  it('creates a Message with text, usage and a dated model', async () => {
    const msg = await client().messages.create({ model: MODEL, max_tokens: 64, messages: MESSAGES });
    expect(msg.type).toBe('message');
    expect(msg.model).toBe('claude-sonnet-4-5-20250929');
    expect(msg.content[0].text).toContain(MARKER);
    expect(msg.content[0].text).not.toContain('PROMPTSECRET');
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBe(10);
    expect(msg._request_id).toMatch(/^req_/);
  });

  it('streams the real event sequence through for await', async () => {
    const stream = await client().messages.create({ model: MODEL, max_tokens: 64, messages: MESSAGES, stream: true });
    const types: string[] = [];
    let text = '';
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'content_block_delta') text += ev.delta.text;
    }
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types).toContain('content_block_stop');
    expect(types).not.toContain('ping');
    expect(text).toContain(MARKER);
  });

  it('feeds the MessageStream helper (text events, finalMessage)', async () => {
    const helper = client().messages.stream({ model: MODEL, max_tokens: 64, messages: MESSAGES });
    let text = '';
    helper.on('text', (t: string) => {
      text += t;
    });
    const final = await helper.finalMessage();
    expect(final.content[0].text).toBe(text);
    expect(final.usage.output_tokens).toBe(10);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('calls the offered tool, streamed as input_json_delta, and answers a tool result with text', async () => {
    const c = client();
    const helper = c.messages.stream({ model: MODEL, max_tokens: 64, messages: MESSAGES, tools: [WEATHER] });
    const final = await helper.finalMessage();
    const call = final.content.find((b: any) => b.type === 'tool_use');
    expect(final.stop_reason).toBe('tool_use');
    expect(call).toMatchObject({ name: 'get_weather', input: { city: `${MARKER} value` } });
    const next = await c.messages.create({
      model: MODEL,
      max_tokens: 64,
      tools: [WEATHER],
      messages: [
        ...MESSAGES,
        { role: 'assistant', content: final.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'rainy' }] },
      ],
    });
    expect(next.stop_reason).toBe('end_turn');
  });

  it('writes the prompt cache once and reads it afterwards', async () => {
    const system = [{ type: 'text', text: 'You are a keeper of lights. '.repeat(20), cache_control: { type: 'ephemeral' } }];
    const c = client();
    const first = await c.messages.create({ model: MODEL, max_tokens: 16, system, messages: MESSAGES });
    const second = await c.messages.create({ model: MODEL, max_tokens: 16, system, messages: MESSAGES });
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(100);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.input_tokens).toBe(first.usage.input_tokens);
  });

  it('stops at max_tokens and at a stop sequence', async () => {
    const c = client();
    const cut = await c.messages.create({ model: MODEL, max_tokens: 3, messages: MESSAGES });
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.usage.output_tokens).toBe(3);
    const stopped = await c.messages.create({ model: MODEL, max_tokens: 64, messages: MESSAGES, stop_sequences: ['watch'] });
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'watch' });
    server.script({ kind: 'maxTokens', tokens: 2 });
    const scripted = await c.messages.create({ model: MODEL, max_tokens: 64, messages: MESSAGES, stream: true });
    const last: any[] = [];
    for await (const ev of scripted) last.push(ev);
    expect(last.find((e) => e.type === 'message_delta').delta.stop_reason).toBe('max_tokens');
  });

  it('counts tokens', async () => {
    const counted = await client().messages.countTokens({ model: MODEL, messages: MESSAGES });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(server.requests.at(-1)?.path).toBe('/v1/messages/count_tokens');
  });

  it('retries a 429 once, and gives up on 529 overloaded with the SDK error', async () => {
    server.script({ kind: 'status', status: 429, retryAfterMs: 1 });
    const msg = await client().messages.create({ model: MODEL, max_tokens: 16, messages: MESSAGES });
    expect(msg.type).toBe('message');
    expect(server.requests).toHaveLength(2);
    server.clear();
    server.always({ kind: 'status', status: 529, retryAfterMs: 1 });
    const err: any = await client()
      .messages.create({ model: MODEL, max_tokens: 16, messages: MESSAGES })
      .catch((e: unknown) => e);
    expect(err.status).toBe(529);
    expect(err.error.error.type).toBe('overloaded_error');
    expect(server.requests).toHaveLength(3);
  });

  it('answers 400 with invalid_request_error, without retrying', async () => {
    const err: any = await client()
      .messages.create({ model: MODEL, messages: MESSAGES })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(line.Anthropic.BadRequestError);
    expect(err.error.error.type).toBe('invalid_request_error');
    expect(server.requests).toHaveLength(1);
  });

  it('surfaces a mid-stream error event and a mid-stream reset', async () => {
    server.script({ kind: 'midStreamError', afterEvents: 3 }, { kind: 'midStreamReset', afterEvents: 3 });
    const c = client();
    const drain = async () => {
      const seen: string[] = [];
      const stream = await c.messages.create({ model: MODEL, max_tokens: 64, messages: MESSAGES, stream: true });
      try {
        for await (const ev of stream) seen.push(ev.type);
      } catch (err) {
        return { seen, err: err as any };
      }
      return { seen, err: undefined };
    };
    const errored = await drain();
    expect(errored.seen.length).toBeGreaterThan(0);
    expect(line.streamErrorType(errored.err)).toBe('overloaded_error');
    const reset = await drain();
    expect(String(reset.err?.message)).toMatch(line.reset);
  });

  it('delays the first event without changing it', async () => {
    server.script({ kind: 'slowFirstChunk', ms: 30 });
    const stream = await client().messages.create({ model: MODEL, max_tokens: 64, messages: MESSAGES, stream: true });
    const first = await stream[Symbol.asyncIterator]().next();
    expect(first.value.type).toBe('message_start');
    await stream.controller.abort();
  });
});
