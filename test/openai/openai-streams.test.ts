/**
 * traceOpenAI streams, majors 4–7: the span covers the whole stream, ends exactly once on every path (exhausted,
 * break, abort, mid-stream error, reset, never iterated), counts what the caller saw, and the caller sees what an
 * untraced client gives (the usage chunk we ask for is hidden; tee/toReadableStream/controller keep working).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAJORS,
  MESSAGES,
  PROMPT,
  client,
  collect,
  expectCleanTelemetry,
  invoke,
  normalize,
  nowNs,
  onlyModel,
  sleep,
  traced,
  useOpenAIEnv,
  type AnyClient,
  type Env,
} from '../support/openai.js';

let env: Env;
useOpenAIEnv((e) => (env = e));

const chat = (c: AnyClient, extra: Record<string, unknown> = {}) =>
  c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true, ...extra });
const responses = (c: AnyClient) => c.responses.create({ model: 'gpt-4o-mini', input: PROMPT, stream: true });

describe.each(MAJORS)('$name', (major) => {
  /** Iterates a chat stream that fails midway, inside one invocation: the error the caller saw, and the chunks before it. */
  async function consumeUntilError(client: AnyClient) {
    let inner: any;
    let seen = 0;
    const inv = await invoke(env, async () => {
      try {
        for await (const _ of await chat(client)) seen++;
      } catch (e) {
        inner = e;
        throw e;
      }
    });
    return { inv, inner, seen };
  }
  let c: AnyClient;
  let plain: AnyClient;
  beforeAll(() => {
    c = traced(major, env);
    plain = client(major, env);
  });

  describe('chat stream', () => {
    it('exhausted: span from before the request to the end of consumption; usage asked for and hidden', async () => {
      const inv = await invoke(env, async () => {
        const stream = await chat(c);
        await sleep(40);
        const beforeIteration = nowNs();
        const chunks: any[] = await collect(stream);
        return { chunks, beforeIteration, afterIteration: nowNs(), requestId: stream._request_id };
      });
      const { chunks, beforeIteration, afterIteration } = inv.result!;
      const untraced = await collect(await chat(plain));
      // The caller sees exactly what an untraced client sees: no usage chunk, no `usage: null` fields.
      expect(normalize(chunks)).toEqual(normalize(untraced));
      expect(chunks.every((ch: any) => ch.choices.length > 0 && !('usage' in ch))).toBe(true);
      const wire = env.server.requests.find((r) => r.path === '/v1/chat/completions')!;
      expect((wire.body as any).stream_options).toEqual({ include_usage: true });

      const span = onlyModel(inv);
      const [attempt] = inv.attempts(span);
      expect(span.startTimeUnixNano).toBeLessThanOrEqual(attempt!.startTimeUnixNano);
      expect(span.endTimeUnixNano).toBeGreaterThanOrEqual(beforeIteration);
      expect(span.endTimeUnixNano).toBeLessThanOrEqual(afterIteration);
      expect(span.status.code).toBe('UNSET');
      expect(span.attributes).toMatchObject({
        'gen_ai.request.stream': true,
        'openai.api.type': 'chat_completions',
        'llm.stream.outcome': 'completed',
        'llm.stream.chunk_count': chunks.length,
        'gen_ai.response.id': chunks[0].id,
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': expect.any(Number),
        'gen_ai.usage.output_tokens': chunks.filter((ch: any) => ch.choices[0].delta.content).length,
        'gen_ai.usage.cache_read.input_tokens': 0,
        'llm.request.attempts': 1,
        'llm.openai.request_id': attempt!.attributes['llm.openai.request_id'],
      });
      expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
      expectCleanTelemetry(env);
    });

    it('the caller who sets include_usage sees the usage chunk; a reasoning model reports reasoning tokens', async () => {
      const opts = { model: 'o4-mini', stream_options: { include_usage: true }, prompt_cache_key: 'abc', service_tier: 'priority' };
      const inv = await invoke(env, async () => collect(await chat(c, opts)));
      const chunks = inv.result as any[];
      expect(normalize(chunks)).toEqual(normalize(await collect(await chat(plain, opts))));
      const usage = chunks.at(-1).usage;
      expect(chunks.at(-1).choices).toEqual([]);
      expect(usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0);
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({
        'llm.stream.chunk_count': chunks.length,
        'gen_ai.usage.input_tokens': usage.prompt_tokens,
        'gen_ai.usage.output_tokens': usage.completion_tokens,
        'gen_ai.usage.reasoning.output_tokens': usage.completion_tokens_details.reasoning_tokens,
        'gen_ai.usage.cache_read.input_tokens': usage.prompt_tokens_details.cached_tokens,
        'openai.request.service_tier': 'priority',
        'openai.response.service_tier': 'priority',
      });
    });

    it('time to first chunk covers a slow first chunk', async () => {
      env.server.script({ kind: 'slowFirstChunk', ms: 150 });
      const inv = await invoke(env, async () => collect(await chat(c)));
      const span = onlyModel(inv);
      expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0.15);
      expect(span.attributes['llm.stream.outcome']).toBe('completed');
    });

    it('break: aborted, the controller is aborted, chunks counted up to the break', async () => {
      const inv = await invoke(env, async () => {
        const stream = await chat(c);
        let n = 0;
        for await (const _ of stream) if (++n === 3) break;
        return stream.controller.signal.aborted;
      });
      expect(inv.result).toBe(true);
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({ 'llm.stream.outcome': 'aborted', 'llm.stream.chunk_count': 3 });
      expect(span.status.code).toBe('UNSET');
      expectCleanTelemetry(env);
    });

    it('controller.abort() while iterating: aborted', async () => {
      const inv = await invoke(env, async () => {
        const stream = await chat(c);
        expect(stream.controller).toBeInstanceOf(AbortController);
        const seen: unknown[] = [];
        for await (const chunk of stream) {
          seen.push(chunk);
          if (seen.length === 2) stream.controller.abort();
        }
        return seen.length;
      });
      expect(inv.error).toBeUndefined();
      const span = onlyModel(inv);
      expect(span.attributes['llm.stream.outcome']).toBe('aborted');
      expect(span.attributes['llm.stream.chunk_count']).toBe(inv.result);
      expectCleanTelemetry(env);
    });

    it('controller.abort() without iterating: aborted, not abandoned', async () => {
      // (Iterating an aborted stream hangs in v4, untraced too; so this one only aborts.)
      const inv = await invoke(env, async () => {
        const stream = await chat(c);
        stream.controller.abort();
      });
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({ 'llm.stream.outcome': 'aborted', 'llm.stream.chunk_count': 0 });
      expectCleanTelemetry(env);
    });

    it("mid-stream error: error outcome, ERROR status, and the caller gets the SDK's error, rethrown as is", async () => {
      env.server.script({ kind: 'midStreamError', afterChunks: 2 });
      const { inv, inner, seen } = await consumeUntilError(c);
      expect(seen).toBe(2);
      expect(inv.error).toBe(inner);
      expect(inner).toBeInstanceOf(major.OpenAI.APIError);
      expect(inner.status).toBeUndefined();
      const span = onlyModel(inv);
      expect(span.status.code).toBe('ERROR');
      expect(span.attributes).toMatchObject({ 'llm.stream.outcome': 'error', 'llm.stream.chunk_count': 2, 'error.type': 'stream_error' });
      expect(span.events.map((e) => e.name)).toContain('exception');
      expectCleanTelemetry(env);
    });

    it('mid-stream reset: stream_interrupted, and the caller gets the transport error', async () => {
      env.server.script({ kind: 'midStreamReset', afterChunks: 3 });
      const { inv, inner, seen } = await consumeUntilError(c);
      expect(seen).toBe(3);
      expect(inv.error).toBe(inner);
      expect(inner.constructor.name).toBe(major.midStreamReset.ctor);
      expect(inner.message).toMatch(major.midStreamReset.message);
      const span = onlyModel(inv);
      expect(span.status.code).toBe('ERROR');
      expect(span.attributes).toMatchObject({ 'llm.stream.outcome': 'error', 'error.type': 'stream_interrupted', 'llm.stream.chunk_count': 3 });
      const exception = span.events.find((e) => e.name === 'exception');
      expect(exception?.attributes['exception.message']).toMatch(major.midStreamReset.message);
      expectCleanTelemetry(env);
    });

    it('never iterated: ended as abandoned when the invocation ends', async () => {
      const inv = await invoke(env, async () => {
        const stream = await chat(c);
        return typeof stream[Symbol.asyncIterator];
      });
      expect(inv.result).toBe('function');
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({ 'llm.stream.outcome': 'abandoned', 'llm.stream.chunk_count': 0 });
      expectCleanTelemetry(env);
    });

    it('tee(): both branches get every chunk, the span completes once', async () => {
      const inv = await invoke(env, async () => {
        const [left, right] = (await chat(c)).tee();
        return Promise.all([collect(left), collect(right)]);
      });
      const [left, right] = inv.result as unknown[][];
      const untraced = await collect(await chat(plain));
      expect(normalize(left)).toEqual(normalize(untraced));
      expect(normalize(right)).toEqual(normalize(untraced));
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({ 'llm.stream.outcome': 'completed', 'llm.stream.chunk_count': untraced.length });
      expectCleanTelemetry(env);
    });

    it('toReadableStream(): same NDJSON as untraced, span completed', async () => {
      const text = async (cl: AnyClient) => new Response((await chat(cl)).toReadableStream()).text();
      const inv = await invoke(env, () => text(c));
      const lines = (s: string) =>
        s
          .trim()
          .split('\n')
          .map((l) => normalize(JSON.parse(l)));
      const untraced = await text(plain);
      expect(lines(inv.result!)).toEqual(lines(untraced));
      expect(onlyModel(inv).attributes['llm.stream.outcome']).toBe('completed');
    });

    it('withResponse() on a stream: the data is the traced stream', async () => {
      const inv = await invoke(env, async () => {
        const { data, response, request_id } = await chat(c).withResponse();
        expect(request_id).toBe(response.headers.get('x-request-id'));
        return { n: (await collect(data)).length, request_id };
      });
      const span = onlyModel(inv);
      expect(span.attributes['llm.stream.chunk_count']).toBe(inv.result!.n);
      expect(span.attributes['llm.stream.outcome']).toBe('completed');
      expect(span.attributes['llm.openai.request_id']).toBe(inv.result!.request_id);
    });
  });

  describe('responses stream', () => {
    it('exhausted: same events as untraced, usage from response.completed', async () => {
      const inv = await invoke(env, async () => collect(await responses(c)));
      const events = inv.result as any[];
      expect(normalize(events)).toEqual(normalize(await collect(await responses(plain))));
      const done = events.at(-1).response;
      const span = onlyModel(inv);
      expect(span.attributes).toMatchObject({
        'llm.stream.outcome': 'completed',
        'llm.stream.chunk_count': events.length,
        'gen_ai.response.id': done.id,
        'gen_ai.usage.input_tokens': done.usage.input_tokens,
        'gen_ai.usage.output_tokens': done.usage.output_tokens,
      });
      expectCleanTelemetry(env);
    });

    it('break, mid-stream error, reset and never iterated each end the span once', async () => {
      const brk = await invoke(env, async () => {
        for await (const _ of await responses(c)) break;
      });
      expect(onlyModel(brk).attributes).toMatchObject({ 'llm.stream.outcome': 'aborted', 'llm.stream.chunk_count': 1 });
      expectCleanTelemetry(env);

      env.server.script({ kind: 'midStreamError', afterChunks: 4 });
      const err = await invoke(env, async () => collect(await responses(c)));
      expect(err.error).toBeInstanceOf(major.OpenAI.APIError);
      const errSpan = onlyModel(err);
      expect(errSpan.status.code).toBe('ERROR');
      expect(errSpan.attributes).toMatchObject({ 'llm.stream.outcome': 'error', 'llm.stream.chunk_count': 4 });
      expectCleanTelemetry(env);

      env.server.script({ kind: 'midStreamReset', afterChunks: 2 });
      const reset = await invoke(env, async () => collect(await responses(c)));
      expect((reset.error as Error).message).toMatch(major.midStreamReset.message);
      expect(onlyModel(reset).attributes).toMatchObject({ 'llm.stream.outcome': 'error', 'error.type': 'stream_interrupted' });
      expectCleanTelemetry(env);

      const abandoned = await invoke(env, async () => {
        await responses(c);
      });
      expect(onlyModel(abandoned).attributes['llm.stream.outcome']).toBe('abandoned');
      expectCleanTelemetry(env);
    });
  });
});
