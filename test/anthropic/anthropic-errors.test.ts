/**
 * traceAnthropic retries and errors on the SDK lines 0.39, 0.59 and 1.x: one HTTP span per attempt (429 and 529
 * retries visible), ERROR status with an exception event and a low-cardinality `error.type`, the SDK's own error
 * object reaching the caller, and no API key in anything exported.
 */
import { describe, expect, it } from 'vitest';
import { exported, invoke, onlyModel, type Invocation } from '../support/openai.js';
import { API_KEY, LINES, MESSAGES, MODEL, traced, useAnthropicEnv, type AnthropicEnv } from '../support/anthropic.js';

let env: AnthropicEnv;
useAnthropicEnv((e) => (env = e));

const params = { model: MODEL, max_tokens: 64, messages: MESSAGES };

describe.each(LINES)('$name', (line) => {
  /** Runs a failing call; the handler rethrows what the SDK threw. */
  async function failing(fn: () => Promise<unknown>): Promise<{ inv: Invocation<unknown>; inner: any; span: ReturnType<typeof onlyModel> }> {
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
    const span = onlyModel(inv);
    expect(span.status.code).toBe('ERROR');
    expect(span.events.some((e) => e.name === 'exception')).toBe(true);
    expect(exported(inv.spans)).not.toContain(API_KEY);
    return { inv, inner, span };
  }

  const drain = async (stream: AsyncIterable<unknown>) => {
    for await (const _ of stream);
  };

  it('429 then 200: two attempt spans, a successful span with llm.request.attempts 2', async () => {
    env.server.script({ kind: 'status', status: 429, retryAfterMs: 1 });
    const c = traced(line, env, {}, { maxRetries: 2 });
    const inv = await invoke(env, () => c.messages.create(params));
    const span = onlyModel(inv);
    expect(span.status.code).toBe('UNSET');
    expect(span.attributes['llm.request.attempts']).toBe(2);
    const attempts = inv.attempts(span);
    expect(attempts.map((a) => a.attributes['http.response.status_code'])).toEqual([429, 200]);
    // Attempt spans are HTTP spans: their error.type is the status code, as the HTTP conventions say.
    expect(attempts[0]!.attributes['error.type']).toBe('429');
    expect(attempts[1]!.attributes['http.request.resend_count']).toBe(1);
  });

  it('529 overloaded on every attempt: three attempts, error.type overloaded, the SDK error to the caller', async () => {
    env.server.always({ kind: 'status', status: 529, retryAfterMs: 1 });
    const c = traced(line, env, {}, { maxRetries: 2 });
    const { inv, inner, span } = await failing(() => c.messages.create(params));
    expect(inner).toBeInstanceOf(line.Anthropic.APIError);
    expect(inner.status).toBe(529);
    expect(span.attributes['error.type']).toBe('overloaded');
    expect(span.attributes['llm.request.attempts']).toBe(3);
    expect(inv.attempts(span).map((a) => a.attributes['error.type'])).toEqual(['529', '529', '529']);
  });

  it('400: error.type is the status code, no retry', async () => {
    const c = traced(line, env, {}, { maxRetries: 2 });
    const { inv, inner, span } = await failing(() => c.messages.create({ model: MODEL, messages: MESSAGES }));
    expect(inner).toBeInstanceOf(line.Anthropic.BadRequestError);
    expect(span.attributes['error.type']).toBe('400');
    expect(inv.attempts(span)).toHaveLength(1);
  });

  it('an error event inside a stream: error.type from the event, outcome error, the events before it delivered', async () => {
    env.server.script({ kind: 'midStreamError', afterEvents: 3 });
    const c = traced(line, env);
    let seen = 0;
    const { inner, span } = await failing(async () => {
      for await (const _ of await c.messages.create({ ...params, stream: true })) seen += 1;
    });
    // Three events sent, the ping among them, which the SDK does not deliver.
    expect(seen).toBe(2);
    expect(inner).toBeInstanceOf(line.Anthropic.APIError);
    expect(span.attributes).toMatchObject({ 'error.type': 'overloaded', 'llm.stream.outcome': 'error', 'llm.stream.chunk_count': 2 });
  });

  it('a reset mid-stream: stream_interrupted, the transport error to the caller', async () => {
    env.server.script({ kind: 'midStreamReset', afterEvents: 3 });
    const c = traced(line, env);
    const { inner, span } = await failing(async () => drain(await c.messages.create({ ...params, stream: true })));
    expect(String(inner.message)).toMatch(line.midStreamReset);
    expect(span.attributes).toMatchObject({ 'error.type': 'stream_interrupted', 'llm.stream.outcome': 'error' });
  });

  it('the helper fails on a mid-stream error event: one span with the error', async () => {
    env.server.script({ kind: 'midStreamError', afterEvents: 2 });
    const c = traced(line, env);
    const { span } = await failing(() => c.messages.stream(params).finalMessage());
    expect(span.attributes['error.type']).toBe('overloaded');
  });

  it('a timeout: error.type timeout', async () => {
    env.server.always({ kind: 'delay', ms: 400 });
    const c = traced(line, env, {}, { timeout: 50 });
    const { span } = await failing(() => c.messages.create(params));
    expect(span.attributes['error.type']).toBe('timeout');
  });

  it('a connection refused: error.type connection_error', async () => {
    const c = traced(line, env, {}, { baseURL: 'http://127.0.0.1:9' });
    const { span } = await failing(() => c.messages.create(params));
    expect(span.attributes['error.type']).toBe('connection_error');
  });

  it('an AbortController abort before the response: error.type aborted', async () => {
    env.server.always({ kind: 'delay', ms: 300 });
    const c = traced(line, env);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const { span } = await failing(() => c.messages.create(params, { signal: ac.signal }));
    expect(span.attributes['error.type']).toBe('aborted');
  });
});
