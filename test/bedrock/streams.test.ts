/**
 * traceBedrock on ConverseStream and InvokeModelWithResponseStream: the span covers the drain and says how it
 * ended (completed, aborted by a break, error mid-stream, abandoned), with time to first chunk, chunk count and
 * usage from the final events; the caller iterates exactly the events an untraced client yields.
 */
import { ConverseStreamCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { HANDLERS, MESSAGES, bedrockClient, collect, invoke, nowNs, onlyModel, traced, useBedrockEnv, type Env } from '../support/bedrock.js';

let env: Env;
useBedrockEnv((e) => (env = e));

const MODEL = 'amazon.nova-lite-v1:0';
const REQUEST = { modelId: MODEL, messages: MESSAGES, inferenceConfig: { maxTokens: 200 } };

describe.each(HANDLERS)('ConverseStream over $name', ({ handler }) => {
  it('yields the untraced events and ends the span after the drain, completed, with usage from metadata', async () => {
    const plain = await collect((await bedrockClient(env, handler()).send(new ConverseStreamCommand(REQUEST))).stream!);
    let drained = 0n;
    const inv = await invoke(env, async () => {
      const out = await traced(env, {}, handler()).send(new ConverseStreamCommand(REQUEST));
      const events = await collect(out.stream!);
      drained = nowNs();
      return events;
    });
    expect(inv.result).toEqual(plain);
    const span = onlyModel(inv);
    expect(span.name).toBe(`chat ${MODEL}`);
    const usage = plain.at(-1)!.metadata!.usage!;
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'llm.stream.outcome': 'completed',
      'llm.stream.chunk_count': plain.length,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': usage.inputTokens,
      'gen_ai.usage.output_tokens': usage.outputTokens,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(BigInt(span.endTimeUnixNano)).toBeGreaterThanOrEqual(drained - 5_000_000n);
    const [attempt] = inv.attempts(span);
    expect(attempt!.attributes['url.template']).toBe('/model/{modelId}/converse-stream');
  });
});

describe('ConverseStream endings', () => {
  it('ends as aborted when the caller breaks out, having seen only what it took', async () => {
    const inv = await invoke(env, async () => {
      const out = await traced(env).send(new ConverseStreamCommand(REQUEST));
      let seen = 0;
      for await (const _ of out.stream!) if (++seen === 2) break;
      return seen;
    });
    const span = onlyModel(inv);
    expect(span.attributes).toMatchObject({ 'llm.stream.outcome': 'aborted', 'llm.stream.chunk_count': 2 });
    expect(span.status.code).toBe('UNSET');
  });

  it('ends as error on an exception frame, the caller getting the SDK’s error', async () => {
    env.server.script({ kind: 'midStreamException', afterEvents: 3, type: 'modelStreamErrorException' });
    const inv = await invoke(env, async () => collect((await traced(env).send(new ConverseStreamCommand(REQUEST))).stream!));
    expect((inv.error as Error).name).toBe('ModelStreamErrorException');
    const span = onlyModel(inv);
    expect(span.status.code).toBe('ERROR');
    expect(span.attributes).toMatchObject({ 'llm.stream.outcome': 'error', 'error.type': 'model_stream_error', 'llm.stream.chunk_count': 3 });
  });

  it('ends as error on an HTTP/2 stream reset', async () => {
    env.server.script({ kind: 'midStreamReset', afterEvents: 2, how: 'rst' });
    const inv = await invoke(env, async () => collect((await traced(env).send(new ConverseStreamCommand(REQUEST))).stream!));
    expect(inv.error).toBeInstanceOf(Error);
    expect(onlyModel(inv).attributes).toMatchObject({ 'llm.stream.outcome': 'error', 'error.type': 'stream_interrupted' });
  });

  it('calls a stream whose HTTP/2 connection dropped quietly truncated, not completed', async () => {
    env.server.script({ kind: 'midStreamReset', afterEvents: 2, how: 'drop' });
    const inv = await invoke(env, async () => collect((await traced(env).send(new ConverseStreamCommand(REQUEST))).stream!));
    // The SDK ends the caller's loop without an error here; the span must not say it completed.
    expect(inv.error).toBeUndefined();
    expect(inv.result).toHaveLength(2);
    expect(onlyModel(inv).attributes).toMatchObject({ 'llm.stream.outcome': 'error', 'error.type': 'stream_truncated', 'llm.stream.chunk_count': 2 });
    expect(onlyModel(inv).status.code).toBe('ERROR');
  });

  it('does not call a stream that ended without its final events completed', async () => {
    env.server.script({ kind: 'truncatedStream' });
    const inv = await invoke(env, async () => collect((await traced(env).send(new ConverseStreamCommand(REQUEST))).stream!));
    expect(inv.error).toBeUndefined();
    const span = onlyModel(inv);
    expect(span.attributes['llm.stream.outcome']).toBe('error');
    expect(span.attributes['error.type']).toBe('stream_truncated');
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('ends as abandoned with the invocation when never read', async () => {
    const inv = await invoke(env, async () => {
      await traced(env).send(new ConverseStreamCommand(REQUEST));
      return 'left unread';
    });
    expect(onlyModel(inv).attributes['llm.stream.outcome']).toBe('abandoned');
  });
});

describe('InvokeModelWithResponseStream', () => {
  const anthropic = {
    modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
  };
  const decode = (e: { chunk?: { bytes?: Uint8Array } }) => JSON.parse(new TextDecoder().decode(e.chunk!.bytes));

  it('reads Anthropic usage from message_start and message_delta, chunks passed through untouched', async () => {
    const plain = (await collect((await bedrockClient(env).send(new InvokeModelWithResponseStreamCommand(anthropic))).body!)).map(decode);
    const inv = await invoke(env, async () => (await collect((await traced(env).send(new InvokeModelWithResponseStreamCommand(anthropic))).body!)).map(decode));
    expect(inv.result).toEqual(plain);
    const delta = plain.find((c) => c.type === 'message_delta');
    expect(onlyModel(inv).attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.max_tokens': 100,
      'llm.stream.outcome': 'completed',
      'llm.stream.chunk_count': plain.length,
      'gen_ai.usage.input_tokens': plain[0].message.usage.input_tokens,
      'gen_ai.usage.output_tokens': delta.usage.output_tokens,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
  });

  it.each([
    ['meta.llama3-8b-instruct-v1:0', { prompt: 'hi', max_gen_len: 2 }, 'length'],
    ['mistral.mistral-7b-instruct-v0:2', { prompt: 'hi' }, 'stop'],
    ['cohere.command-r-v1:0', { message: 'hi' }, 'COMPLETE'],
    ['us.amazon.nova-micro-v1:0', { messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, 'end_turn'],
  ])('%s: finish reason and usage from the final chunk', async (modelId, body, reason) => {
    const inv = await invoke(env, async () =>
      (await collect((await traced(env).send(new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(body) }))).body!)).map(decode),
    );
    const last = (inv.result as any[]).at(-1)['amazon-bedrock-invocationMetrics'];
    expect(onlyModel(inv).attributes).toMatchObject({
      'llm.stream.outcome': 'completed',
      'gen_ai.response.finish_reasons': [reason],
      'gen_ai.usage.input_tokens': last.inputTokenCount,
      'gen_ai.usage.output_tokens': last.outputTokenCount,
    });
  });

  it('ends as aborted on break', async () => {
    const inv = await invoke(env, async () => {
      const out = await traced(env).send(new InvokeModelWithResponseStreamCommand(anthropic));
      for await (const _ of out.body!) break;
    });
    expect(onlyModel(inv).attributes).toMatchObject({ 'llm.stream.outcome': 'aborted', 'llm.stream.chunk_count': 1 });
  });
});
