/**
 * traceOpenAI retries and errors, majors 4–7: one HTTP CLIENT span per attempt, typed `error.type` on the model
 * span, the SDK's own error object reaching the caller (and rethrown by the wrapper as is), and no API key, no
 * Authorization header and no URL query in anything exported.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  MAJORS,
  MESSAGES,
  PROMPT,
  collect,
  expectCleanTelemetry,
  exported,
  invoke,
  onlyModel,
  traced,
  useOpenAIEnv,
  type AnyClient,
  type Env,
  type Invocation,
} from '../support/openai.js';

let env: Env;
useOpenAIEnv((e) => (env = e));

const QUERY_SECRET = 'QUERYSECRET-55e1';

describe.each(MAJORS)('$name', (major) => {
  let c: AnyClient;
  beforeAll(() => {
    c = traced(major, env);
  });

  const create = (cl: AnyClient, options?: Record<string, unknown>) => cl.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }, options);

  /** Runs a failing call; the handler rethrows what the SDK threw. */
  async function failing(fn: () => Promise<unknown>): Promise<{ inv: Invocation<unknown>; inner: any }> {
    let inner: any;
    const inv = await invoke(env, async () => {
      try {
        return await fn();
      } catch (e) {
        inner = e;
        throw e;
      }
    });
    expect(inner).toBeDefined();
    expect(inv.error).toBe(inner);
    return { inv, inner };
  }

  it('429 then 200: two attempt spans, one successful model span with llm.request.attempts 2', async () => {
    env.server.script({ kind: 'status', status: 429, retryAfterMs: 5 });
    const inv = await invoke(env, () => create(c, { maxRetries: 2 }));
    const r = inv.result as any;
    expect(r.choices[0].message.content).toContain('ZEPHYR');
    const span = onlyModel(inv);
    expect(span.status.code).toBe('UNSET');
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.attributes['llm.request.attempts']).toBe(2);
    expect(span.attributes['llm.openai.request_id']).toBe(r._request_id);
    const attempts = inv.attempts(span).sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
    expect(attempts.map((a) => `${a.name} ${a.kind}`)).toEqual(['POST /v1/chat/completions CLIENT', 'POST /v1/chat/completions CLIENT']);
    const [first, second] = attempts;
    expect(first!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': env.server.port,
      'http.response.status_code': 429,
      'error.type': '429',
      'llm.openai.request_id': expect.stringMatching(/^req_/),
    });
    expect(first!.attributes['http.request.resend_count']).toBeUndefined();
    expect(first!.status.code).toBe('ERROR');
    expect(second!.attributes).toMatchObject({
      'http.response.status_code': 200,
      'http.request.resend_count': 1,
      'llm.openai.request_id': r._request_id,
    });
    expect(second!.attributes['error.type']).toBeUndefined();
    expect(second!.status.code).toBe('UNSET');
    expect(first!.attributes['llm.openai.request_id']).not.toBe(r._request_id);
    expectCleanTelemetry(env);
  });

  it('retries exhausted (500, 500): an attempt span each, the model span errors with 500', async () => {
    env.server.script({ kind: 'status', status: 500, retryAfterMs: 5 }, { kind: 'status', status: 500, retryAfterMs: 5 });
    const { inv, inner } = await failing(() => create(c, { maxRetries: 1 }));
    expect(inner).toBeInstanceOf(major.OpenAI.InternalServerError);
    const span = onlyModel(inv);
    expect(span.attributes).toMatchObject({ 'error.type': '500', 'llm.request.attempts': 2 });
    expect(inv.attempts(span).map((a) => [a.attributes['http.response.status_code'], a.attributes['http.request.resend_count']])).toEqual(
      expect.arrayContaining([
        [500, undefined],
        [500, 1],
      ]),
    );
  });

  const cases: { name: string; fault: () => void; options: Record<string, unknown>; cls: string; type: string }[] = [
    {
      name: '429 without retries',
      fault: () => env.server.script({ kind: 'status', status: 429, retryAfterMs: 5 }),
      options: {},
      cls: 'RateLimitError',
      type: 'rate_limit',
    },
    {
      name: 'delay beyond the timeout',
      fault: () => env.server.script({ kind: 'delay', ms: 1000 }),
      options: { timeout: 100 },
      cls: 'APIConnectionTimeoutError',
      type: 'timeout',
    },
    { name: 'connection reset', fault: () => env.server.script({ kind: 'reset' }), options: {}, cls: 'APIConnectionError', type: 'connection_error' },
    { name: '400', fault: () => env.server.script({ kind: 'status', status: 400 }), options: {}, cls: 'BadRequestError', type: '400' },
    { name: '500', fault: () => env.server.script({ kind: 'status', status: 500 }), options: {}, cls: 'InternalServerError', type: '500' },
  ];
  it.each(cases)('$name → $cls, error.type $type, exception event, ERROR status', async ({ fault, options, cls, type }) => {
    fault();
    const { inv, inner } = await failing(() => create(c, { maxRetries: 0, ...options }));
    expect(inner).toBeInstanceOf(major.OpenAI[cls]);
    expect(inner.constructor).toBe(major.OpenAI[cls]);
    const span = onlyModel(inv);
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.status.code).toBe('ERROR');
    expect(span.attributes['error.type']).toBe(type);
    expect(span.attributes['llm.request.attempts']).toBe(1);
    const exception = span.events.find((e) => e.name === 'exception');
    expect(exception?.attributes['exception.message']).toBe(inner.message);
    const [attempt, ...more] = inv.attempts(span);
    expect(more).toEqual([]);
    expect(attempt!.status.code).toBe('ERROR');
    expect(attempt!.attributes['error.type']).toBeDefined();
    if (inner.status) expect(attempt!.attributes['http.response.status_code']).toBe(inner.status);
    expectCleanTelemetry(env);
  });

  it('an error on a stream request, a responses call and an embeddings call is typed too', async () => {
    env.server.script({ kind: 'status', status: 429 });
    const stream = await failing(async () => collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })));
    expect(stream.inner).toBeInstanceOf(major.OpenAI.RateLimitError);
    expect(onlyModel(stream.inv).attributes).toMatchObject({ 'error.type': 'rate_limit', 'gen_ai.request.stream': true });

    env.server.script({ kind: 'status', status: 503 });
    const resp = await failing(() => c.responses.create({ model: 'gpt-4o-mini', input: PROMPT }));
    expect(resp.inner).toBeInstanceOf(major.OpenAI.InternalServerError);
    expect(onlyModel(resp.inv).attributes['error.type']).toBe('503');

    env.server.script({ kind: 'status', status: 404 });
    const emb = await failing(() => c.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }));
    expect(emb.inner).toBeInstanceOf(major.OpenAI.NotFoundError);
    const span = onlyModel(emb.inv);
    expect(span.name).toBe('embeddings text-embedding-3-small');
    expect(span.attributes['error.type']).toBe('404');
    expect(span.status.code).toBe('ERROR');
  });

  it('a user abort signal is typed aborted', async () => {
    env.server.script({ kind: 'delay', ms: 1000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const { inv, inner } = await failing(() => create(c, { signal: controller.signal }));
    expect(inner).toBeInstanceOf(major.OpenAI.APIUserAbortError);
    expect(onlyModel(inv).attributes['error.type']).toBe('aborted');
  });

  it('never records the API key, the Authorization header or the URL query, on any path', async () => {
    const q = traced(major, env, {}, { maxRetries: 1, defaultQuery: { 'api-version': QUERY_SECRET } });
    env.server.script({ kind: 'status', status: 429, retryAfterMs: 5 }, { kind: 'reset' }, { kind: 'reset' });
    const failed = await invoke(env, async () => {
      await q.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }).catch(() => {});
      await q.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }, { maxRetries: 0 }).catch(() => {});
    });
    env.server.script({ kind: 'midStreamReset', afterChunks: 2 }, { kind: 'delay', ms: 500 }, { kind: 'status', status: 401 });
    const other = await invoke(env, async () => {
      await collect(await q.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })).catch(() => {});
      await q.responses.create({ model: 'gpt-4o-mini', input: PROMPT }, { timeout: 50, maxRetries: 0 }).catch(() => {});
      await q.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }, { maxRetries: 0 }).catch(() => {});
      await q.responses.create({ model: 'gpt-4o-mini', input: PROMPT });
    });
    expect(env.server.requests.every((r) => r.path.includes(QUERY_SECRET))).toBe(true);
    expect(failed.spans.length).toBeGreaterThanOrEqual(5);
    expect(other.spans.length).toBeGreaterThanOrEqual(8);
    for (const inv of [failed, other]) {
      const all = exported(inv.spans);
      expect(all).toContain('exception');
      expect(all).not.toContain(API_KEY);
      expect(all).not.toContain('sk-test');
      expect(all).not.toMatch(/bearer/i);
      expect(all).not.toMatch(/authorization/i);
      expect(all).not.toContain(QUERY_SECRET);
      expect(all).not.toContain('api-version');
    }
  });
});
