/**
 * OpenAI faults, majors 4–7, each run twice against the same scripted server: through a traced client inside a
 * wrapped handler, and through an untraced client of the same major. The caller's result (or error) must be the
 * same either way; the traced run must show the fault in its spans as the README specifies.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../tools/openai-server/index.ts';
import {
  MAJORS,
  MESSAGES,
  client,
  collect,
  expectCleanTelemetry,
  invoke,
  normalize,
  onlyModel,
  setup,
  teardown,
  traced,
  type AnyClient,
  type Env,
  type Invocation,
  type Major,
} from '../support/openai.js';
import type { ReceivedSpan } from '../support/receiver.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(() => teardown(env));
afterEach(() => env.server.clear());

type Outcome = { ok: true; value: unknown } | { ok: false; error: any };

/** What the caller can observe of an error: its class, status, message and the API's error body. */
const errorShape = (e: any) => ({ class: e?.constructor?.name, status: e?.status, message: e?.message, type: e?.type, code: e?.code });

async function settle(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Runs `call` with the script against an untraced client, then against a traced one inside a wrapped handler;
 * checks the outcomes match and the traced error is the very object the SDK threw.
 */
async function both(
  major: Major,
  faults: Fault[],
  call: (c: AnyClient) => Promise<unknown>,
  opts: Record<string, unknown> = {},
): Promise<{ inv: Invocation<unknown>; plain: Outcome; tracedOutcome: Outcome }> {
  env.server.script(...faults);
  const plain = await settle(() => call(client(major, env, opts)));
  env.server.clear();
  env.server.script(...faults);
  const c = traced(major, env, {}, opts);
  let inner: unknown;
  const inv = await invoke(env, async () => {
    try {
      return await call(c);
    } catch (e) {
      inner = e;
      throw e;
    }
  });
  const tracedOutcome: Outcome = inv.error === undefined ? { ok: true, value: inv.result } : { ok: false, error: inv.error };
  expect(tracedOutcome.ok).toBe(plain.ok);
  if (plain.ok && tracedOutcome.ok) expect(normalize(tracedOutcome.value)).toEqual(normalize(plain.value));
  if (!plain.ok && !tracedOutcome.ok) {
    expect(tracedOutcome.error).toBe(inner);
    expect(errorShape(tracedOutcome.error)).toEqual(errorShape(plain.error));
  }
  return { inv, plain, tracedOutcome };
}

const byStart = (a: ReceivedSpan, b: ReceivedSpan) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1);
const chat = (c: AnyClient) => c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
const chatStream = async (c: AnyClient) => collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }));
const rateLimited = (n: number): Fault[] =>
  Array.from({ length: n }, () => ({ kind: 'status', status: 429, retryAfterMs: 1, message: 'Rate limit reached' }) as Fault);

describe.each(MAJORS)('$name', (major) => {
  it('a rate-limit storm (six 429s) then success: the same completion, seven attempt spans, one successful model span', async () => {
    const { inv } = await both(major, rateLimited(6), chat, { maxRetries: 6 });
    const span = onlyModel(inv);
    expect(span.status.code).toBe('UNSET');
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.attributes['llm.request.attempts']).toBe(7);
    const attempts = inv.attempts(span).sort(byStart);
    expect(attempts.map((a) => a.attributes['http.response.status_code'])).toEqual([429, 429, 429, 429, 429, 429, 200]);
    expect(attempts.map((a) => a.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2, 3, 4, 5, 6]);
    expect(attempts.slice(0, 6).every((a) => a.status.code === 'ERROR' && a.attributes['error.type'] === '429')).toBe(true);
    expectCleanTelemetry(env);
  });

  it('a storm that outlasts the retries: the same RateLimitError, error.type rate_limit after every attempt', async () => {
    const { inv, tracedOutcome } = await both(major, rateLimited(3), chat, { maxRetries: 2 });
    expect(tracedOutcome.ok).toBe(false);
    expect(errorShape(!tracedOutcome.ok && tracedOutcome.error)).toMatchObject({ class: 'RateLimitError', status: 429 });
    const span = onlyModel(inv);
    expect(span.status.code).toBe('ERROR');
    expect(span.attributes).toMatchObject({ 'error.type': 'rate_limit', 'llm.request.attempts': 3 });
    expect(inv.attempts(span)).toHaveLength(3);
    expectCleanTelemetry(env);
  });

  it('a reset and a 503 on the way to a success: the same completion, three attempts, the failed ones in error', async () => {
    const faults: Fault[] = [{ kind: 'reset' }, { kind: 'status', status: 503, retryAfterMs: 1 }];
    const { inv } = await both(major, faults, chat, { maxRetries: 2 });
    const span = onlyModel(inv);
    expect(span.status.code).toBe('UNSET');
    expect(span.attributes['llm.request.attempts']).toBe(3);
    const attempts = inv.attempts(span).sort(byStart);
    expect(attempts.map((a) => a.status.code)).toEqual(['ERROR', 'ERROR', 'UNSET']);
    expect(attempts.map((a) => a.attributes['http.response.status_code'])).toEqual([undefined, 503, 200]);
    expect(attempts[1]!.attributes['error.type']).toBe('503');
    expectCleanTelemetry(env);
  });

  it('a reset before any response is a connection_error on its attempt span, as on the model span', async () => {
    const { inv } = await both(major, [{ kind: 'reset' }], chat, { maxRetries: 0 });
    const span = onlyModel(inv);
    expect(span.attributes['error.type']).toBe('connection_error');
    expect(inv.attempts(span).map((a) => a.attributes['error.type'])).toEqual(['connection_error']);
  });

  it('a reset with no retries left: the same APIConnectionError, connection_error', async () => {
    const { inv, tracedOutcome } = await both(major, [{ kind: 'reset' }], chat, { maxRetries: 0 });
    expect(errorShape(!tracedOutcome.ok && tracedOutcome.error).class).toBe('APIConnectionError');
    const span = onlyModel(inv);
    expect(span.status.code).toBe('ERROR');
    expect(span.attributes).toMatchObject({ 'error.type': 'connection_error', 'llm.request.attempts': 1 });
    expectCleanTelemetry(env);
  });

  it('a slow first chunk: the same chunks, and the time to first chunk covers the wait', async () => {
    const { inv, plain } = await both(major, [{ kind: 'slowFirstChunk', ms: 300 }], chatStream);
    expect(plain.ok && (plain.value as unknown[]).length).toBeGreaterThan(1);
    const span = onlyModel(inv);
    expect(span.attributes).toMatchObject({
      'llm.stream.outcome': 'completed',
      'llm.stream.chunk_count': (plain.ok && (plain.value as unknown[]).length) || -1,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0.29);
    expect(span.durationMs).toBeGreaterThanOrEqual(290);
    expectCleanTelemetry(env);
  });

  it('a slow body on a plain call: the same completion, the span lasts the wait', async () => {
    const { inv } = await both(major, [{ kind: 'slowFirstChunk', ms: 300 }], chat);
    const span = onlyModel(inv);
    expect(span.status.code).toBe('UNSET');
    expect(span.durationMs).toBeGreaterThanOrEqual(290);
    expectCleanTelemetry(env);
  });

  it('an error event mid-stream: the same error after the same chunks, stream_error', async () => {
    let seenPlain = 0;
    let seenTraced = 0;
    let run = 0;
    const counting = async (c: AnyClient) => {
      const mine = run++;
      for await (const _ of await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })) {
        if (mine === 0) seenPlain++;
        else seenTraced++;
      }
    };
    const { inv, tracedOutcome } = await both(major, [{ kind: 'midStreamError', afterChunks: 2 }], counting);
    expect(tracedOutcome.ok).toBe(false);
    expect([seenPlain, seenTraced]).toEqual([2, 2]);
    const span = onlyModel(inv);
    expect(span.status.code).toBe('ERROR');
    expect(span.attributes).toMatchObject({ 'error.type': 'stream_error', 'llm.stream.outcome': 'error', 'llm.stream.chunk_count': 2 });
    expectCleanTelemetry(env);
  });

  it('a reset mid-stream: the same transport error after the same chunks, stream_interrupted', async () => {
    const { inv, tracedOutcome } = await both(major, [{ kind: 'midStreamReset', afterChunks: 3 }], chatStream);
    expect(tracedOutcome.ok).toBe(false);
    expect(errorShape(!tracedOutcome.ok && tracedOutcome.error)).toMatchObject({
      class: major.midStreamReset.ctor,
      message: expect.stringMatching(major.midStreamReset.message),
    });
    expect(onlyModel(inv).attributes).toMatchObject({ 'error.type': 'stream_interrupted', 'llm.stream.outcome': 'error', 'llm.stream.chunk_count': 3 });
    expectCleanTelemetry(env);
  });

  it('a responses stream with an error event: the same error, stream_error', async () => {
    const call = async (c: AnyClient) => collect(await c.responses.create({ model: 'gpt-4o-mini', input: 'Hi', stream: true }));
    const { inv } = await both(major, [{ kind: 'midStreamError', afterChunks: 2 }], call);
    expect(onlyModel(inv).attributes).toMatchObject({ 'error.type': 'stream_error', 'llm.stream.outcome': 'error' });
    expectCleanTelemetry(env);
  });
});
