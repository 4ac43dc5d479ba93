import { afterEach, describe, expect, it } from 'vitest';
import { ContentRecorder, contentOptions, type ContentInfo, type ContentOptions, type InputMessage } from '../../src/genai/content.js';

const recorder = (options: Partial<ContentOptions> = {}) =>
  new ContentRecorder({ capture: true, maxChars: 2048, redact: undefined, attributeLimit: 16_384, ...options });
const user = (text: string): InputMessage => ({ role: 'user', parts: [{ type: 'text', text }] });
const parsed = (json: string | undefined): unknown => JSON.parse(json!);

describe('ContentRecorder: cutting', () => {
  it('records a text within the limit as it is, in the conventions’ shape', () => {
    expect(recorder().input([user('hello')])).toBe('[{"role":"user","parts":[{"type":"text","content":"hello"}]}]');
  });

  it('cuts a longer text to exactly maxChars, the last one an ellipsis', () => {
    const json = recorder({ maxChars: 10 }).input([user('abcdefghijklmnop')]);
    expect(parsed(json)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'abcdefghi…' }] }]);
    expect(recorder({ maxChars: 10 }).input([user('abcdefghij')])).toContain('"abcdefghij"');
  });

  it('never splits a surrogate pair', () => {
    // The cut would fall between the two halves of 😀 (indexes 9 and 10): it moves before it.
    const json = recorder({ maxChars: 11 }).input([user('123456789😀xyz')]);
    expect(parsed(json)).toEqual([{ role: 'user', parts: [{ type: 'text', content: '123456789…' }] }]);
    expect(json).not.toMatch(/\\ud83d/i);
  });

  it('halves the texts until the JSON fits the attribute limit, and it still parses', () => {
    const limit = 300;
    const json = recorder({ attributeLimit: limit }).input([user('a'.repeat(1000)), user('b'.repeat(1000))]);
    expect(json!.length).toBeLessThanOrEqual(limit);
    const messages = parsed(json) as { parts: { content: string }[] }[];
    expect(messages).toHaveLength(2);
    // 2048 → 1024 → … → 128 → 64: the first halving at which both texts fit.
    expect(messages.map((m) => m.parts[0]!.content)).toEqual([`${'a'.repeat(63)}…`, `${'b'.repeat(63)}…`]);
  });

  it('drops the oldest messages rather than halving texts below 64 characters, and records nothing when one alone does not fit', () => {
    // A long conversation of short messages keeps its latest messages whole, not a row of ellipses.
    const many: InputMessage[] = Array.from({ length: 40 }, (_, i) => ({ role: `r${i}`, parts: [{ type: 'text', text: `message ${i}` }] }));
    const json = recorder({ attributeLimit: 200 }).input(many);
    const kept = parsed(json) as { role: string; parts: { content: string }[] }[];
    expect(json!.length).toBeLessThanOrEqual(200);
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.map((m) => m.role)).toEqual(many.slice(-kept.length).map((m) => m.role));
    expect(kept.map((m) => m.parts[0]!.content)).toEqual(many.slice(-kept.length).map((m) => (m.parts[0] as { text: string }).text));
    // Long texts are halved to the floor first, then the oldest go.
    const long = recorder({ attributeLimit: 300 }).input([user('a'.repeat(1000)), user('b'.repeat(1000)), user('c'.repeat(1000))]);
    expect((parsed(long) as { parts: { content: string }[] }[]).map((m) => m.parts[0]!.content)).toEqual([`${'b'.repeat(63)}…`, `${'c'.repeat(63)}…`]);
    // One message too long even at the floor is halved further before nothing is recorded.
    const one = recorder({ attributeLimit: 70 }).input([user('d'.repeat(1000))]);
    expect(one!.length).toBeLessThanOrEqual(70);
    expect((parsed(one) as { parts: { content: string }[] }[])[0]!.parts[0]!.content).toMatch(/^d+…$/);
    expect(recorder({ attributeLimit: 20 }).input([user('hello')])).toBeUndefined();
  });

  it('cuts tool-call arguments like text; a cut argument stays a string, a whole one is parsed', () => {
    const whole = recorder().output([{ finishReason: 'tool_calls', toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{"city":"Paris"}' }] }]);
    expect(parsed(whole)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: { city: 'Paris' } }], finish_reason: 'tool_calls' },
    ]);
    const cutArgs = recorder({ maxChars: 8 }).output([{ toolCalls: [{ name: 'lookup', arguments: '{"city":"Paris"}' }] }]);
    expect(parsed(cutArgs)).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', name: 'lookup', arguments: '{"city"…' }] }]);
  });
});

describe('ContentRecorder: redaction', () => {
  it('records what the redactor returns, told the direction and role of each text', () => {
    const seen: ContentInfo[] = [];
    const redact = (text: string, info: ContentInfo) => {
      seen.push(info);
      return text.replace(/\d{4}-\d{4}/g, '[card]');
    };
    const r = recorder({ redact });
    expect(parsed(r.input([user('pay with 1234-5678')]))).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'pay with [card]' }] }]);
    expect(parsed(r.output([{ text: 'charged 1234-5678' }]))).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'charged [card]' }] }]);
    expect(seen).toEqual([
      { direction: 'input', role: 'user' },
      { direction: 'output', role: 'assistant' },
    ]);
  });

  it('cuts after redacting, so a redactor cannot bring back a longer text', () => {
    const json = recorder({ maxChars: 5, redact: (t) => t.repeat(10) }).input([user('ab')]);
    expect(parsed(json)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'abab…' }] }]);
  });

  it('drops a part the redactor drops, and a message left with no parts; an empty message stays', () => {
    const r = recorder({ redact: (t) => (t.includes('secret') ? undefined : t) });
    const json = r.input([
      { role: 'system', parts: [{ type: 'text', text: 'the secret is 42' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', text: 'secret' },
          { type: 'text', text: 'hi' },
        ],
      },
      { role: 'assistant', parts: [] },
    ]);
    expect(parsed(json)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'hi' }] },
      { role: 'assistant', parts: [] },
    ]);
  });

  it('redacts tool arguments and tool responses too', () => {
    const r = recorder({ redact: (t) => t.replaceAll('Paris', 'X') });
    const json = r.input([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'Paris: 21°C' }] },
    ]);
    expect(parsed(json)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: { city: 'X' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'X: 21°C' }] },
    ]);
  });
});

describe('ContentRecorder: tool definitions and system instructions', () => {
  const tools = [
    { type: 'function', name: 'lookup', description: 'Looks a city up', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  ];

  it('drops the schemas first, then the descriptions, past the attribute limit', () => {
    expect(parsed(recorder().tools(tools))).toEqual(tools);
    expect(parsed(recorder({ attributeLimit: 70 }).tools(tools))).toEqual([{ type: 'function', name: 'lookup', description: 'Looks a city up' }]);
    expect(parsed(recorder({ attributeLimit: 40 }).tools(tools))).toEqual([{ type: 'function', name: 'lookup' }]);
    expect(recorder({ attributeLimit: 10 }).tools(tools)).toBeUndefined();
  });

  it('records system instructions as a flat list of parts, none when all were dropped', () => {
    expect(parsed(recorder().system([{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }]))).toEqual([{ type: 'text', content: 'Be brief.' }]);
    expect(recorder({ redact: () => undefined }).system([{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }])).toBeUndefined();
  });
});

describe('contentOptions', () => {
  const VARS = [
    'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
    'LLM_TRACING_CONTENT_MAX_CHARS',
    'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  ];
  afterEach(() => {
    for (const v of VARS) delete process.env[v];
  });

  it('is off by default, 2048 characters per text and the 16 KiB attribute limit', () => {
    expect(contentOptions(undefined, undefined, undefined)).toEqual({ capture: false, maxChars: 2048, redact: undefined, attributeLimit: 16_384 });
  });

  it('reads the variables; the options win', () => {
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'TRUE';
    process.env.LLM_TRACING_CONTENT_MAX_CHARS = '300';
    process.env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT = '4096';
    expect(contentOptions(undefined, undefined, undefined)).toMatchObject({ capture: true, maxChars: 300, attributeLimit: 4096 });
    process.env.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT = '1000';
    expect(contentOptions(false, 50, undefined)).toMatchObject({ capture: false, maxChars: 50, attributeLimit: 1000 });
  });

  it('ignores a malformed maximum option (0, negative, fractional, NaN) for the variable or the default', () => {
    for (const bad of [0, -3, 2.5, Number.NaN]) expect(contentOptions(true, bad, undefined).maxChars).toBe(2048);
    process.env.LLM_TRACING_CONTENT_MAX_CHARS = '300';
    expect(contentOptions(true, 0, undefined).maxChars).toBe(300);
  });

  it('ignores a malformed maximum', () => {
    for (const bad of ['0', '-3', '2.5', 'lots']) {
      process.env.LLM_TRACING_CONTENT_MAX_CHARS = bad;
      expect(contentOptions(undefined, undefined, undefined).maxChars).toBe(2048);
    }
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'yes';
    expect(contentOptions(undefined, undefined, undefined).capture).toBe(false);
  });
});
