/**
 * traceOpenAI never hurts, majors 4–7: odd objects don't throw, tracing twice doesn't double spans,
 * `withOptions()` clones (v5+) keep working and stay traced, and calls outside an invocation still work.
 */
import { describe, expect, it } from 'vitest';
import { traceOpenAI } from '../../src/index.js';
import { MAJORS, MESSAGES, PROMPT, client, collect, expectCleanTelemetry, invoke, onlyModel, traced, useOpenAIEnv, type Env } from '../support/openai.js';

let env: Env;
useOpenAIEnv((e) => (env = e));

describe('odd objects', () => {
  const throwing = Object.defineProperty({}, 'chat', {
    get() {
      throw new Error('boom');
    },
  });
  const odd: [string, unknown][] = [
    ['empty object', {}],
    ['null fields', { chat: null, responses: null, embeddings: null, fetch: null, baseURL: null }],
    ['no completions', { chat: {}, responses: { create: 'not a function' }, embeddings: { create: 42 } }],
    ['null completions', { chat: { completions: null } }],
    ['a throwing getter', throwing],
    ['a frozen client-like object', Object.freeze({ chat: Object.freeze({ completions: Object.freeze({ create: () => 1 }) }) })],
    ['null', null],
    ['a function', () => {}],
  ];
  it.each(odd)('%s: traceOpenAI does not throw and returns its argument', (_name, value) => {
    expect(traceOpenAI(value as object)).toBe(value);
  });

  it('a create that returns something other than an APIPromise is returned untouched, its span ended', async () => {
    const marker = { not: 'an APIPromise' };
    const fake = traceOpenAI({ chat: { completions: { create: (p: unknown) => ({ ...marker, p }) } }, baseURL: 'not a url' });
    const inv = await invoke(env, async () => fake.chat.completions.create({ model: 'm', messages: [] }));
    expect(inv.result).toEqual({ not: 'an APIPromise', p: { model: 'm', messages: [] } });
    const span = onlyModel(inv);
    expect(span.name).toBe('chat m');
    expect(span.attributes['server.address']).toBeUndefined();
    const sync = new TypeError('sync');
    const thrown = traceOpenAI({
      chat: {
        completions: {
          create: (_p: unknown) => {
            throw sync;
          },
        },
      },
    });
    const err = await invoke(env, async () => thrown.chat.completions.create({ model: 'm' }));
    expect(err.error).toBe(sync);
    const failed = onlyModel(err);
    expect(failed.status.code).toBe('ERROR');
    expect(failed.events.map((e) => e.name)).toEqual(['exception']);
    expect(() => thrown.chat.completions.create(null)).toThrow('sync');
  });
});

describe.each(MAJORS)('$name', (major) => {
  it('traced twice (even with other options): one model span and one attempt span per call', async () => {
    const c = traceOpenAI(traced(major, env), { captureContent: true });
    const inv = await invoke(env, async () => {
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      await collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }));
      await c.responses.create({ model: 'gpt-4o-mini', input: PROMPT });
      await c.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    });
    expect(inv.models, inv.tree).toHaveLength(4);
    for (const m of inv.models) expect(inv.attempts(m), inv.tree).toHaveLength(1);
    expect(inv.spans).toHaveLength(9);
    // The first call's options hold.
    for (const m of inv.models) expect(m.attributes['gen_ai.input.messages']).toBeUndefined();
    expectCleanTelemetry(env);
  });

  it('the traced client is the same object, and works outside an invocation', async () => {
    const raw = client(major, env);
    const c = traceOpenAI(raw);
    expect(c).toBe(raw);
    const r = await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    expect(r.choices[0].message.content).toContain('ZEPHYR');
    const chunks = await collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }));
    expect(chunks.length).toBeGreaterThan(3);
    expect(env.warnings.filter((w) => /lambda-llm-tracing/.test(w))).toEqual([]);
  });
});

// v4 has no withOptions().
describe.each(MAJORS.filter((m) => m.version >= 5))('$name withOptions()', (major) => {
  it('clones keep working and stay traced, with the server they talk to', async () => {
    const c = traced(major, env);
    const clone = c.withOptions({ maxRetries: 2, defaultHeaders: { 'x-clone': '1' } });
    env.server.script({ kind: 'status', status: 429, retryAfterMs: 5 });
    const inv = await invoke(env, async () => clone.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }));
    expect((inv.result as any).choices[0].message.content).toContain('ZEPHYR');
    expect(env.server.requests.map((r) => r.headers['x-clone'])).toEqual(['1', '1']);
    const span = onlyModel(inv);
    expect(span.attributes['llm.request.attempts']).toBe(2);
    expect(inv.attempts(span)).toHaveLength(2);
    expect(inv.spans).toHaveLength(4);
    expectCleanTelemetry(env);

    const other = clone.withOptions({ baseURL: `http://localhost:${env.server.port}/v1` });
    const inv2 = await invoke(env, async () => other.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }));
    const span2 = onlyModel(inv2);
    expect(span2.attributes['server.address']).toBe('localhost');
    expect(inv2.attempts(span2).map((a) => a.attributes['server.address'])).toEqual(['localhost']);
  });
});
