/**
 * traceBedrock never hurts the caller: a value that is not a client comes back untouched, a body we cannot
 * parse still gets its span, a stream left unread ends with the invocation, and no telemetry code warns.
 */
import { ConverseCommand, InvokeModelCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { traceBedrock } from '../../src/index.js';
import { MESSAGES, collect, invoke, onlyModel, traced, useBedrockEnv, type Env } from '../support/bedrock.js';

let env: Env;
useBedrockEnv((e) => (env = e));

describe('robustness', () => {
  it('returns a value that is not a client as it is', () => {
    const notAClient = { send: () => 1 };
    expect(traceBedrock(notAClient)).toBe(notAClient);
    expect(Object.keys(notAClient)).toEqual(['send']);
  });

  it('gives an InvokeModel body that is not JSON a span with only the request facts', async () => {
    const inv = await invoke(env, () => traced(env).send(new InvokeModelCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', body: 'not json {' })));
    const span = onlyModel(inv);
    expect(span.name).toBe('chat anthropic.claude-3-haiku-20240307-v1:0');
    expect(span.attributes['gen_ai.request.max_tokens']).toBeUndefined();
    expect(env.warnings.filter((w) => /lambda-llm-tracing/.test(w))).toEqual([]);
  });

  it('ends an unread InvokeModel stream with the invocation, and a traced call still works after', async () => {
    const body = JSON.stringify({ prompt: 'hi' });
    const first = await invoke(env, async () => {
      await traced(env).send(new InvokeModelWithResponseStreamCommand({ modelId: 'meta.llama3-8b-instruct-v1:0', body }));
    });
    expect(onlyModel(first).attributes['llm.stream.outcome']).toBe('abandoned');
    const client = traced(env);
    const second = await invoke(env, async () => {
      await collect((await client.send(new InvokeModelWithResponseStreamCommand({ modelId: 'meta.llama3-8b-instruct-v1:0', body }))).body!);
      return client.send(new ConverseCommand({ modelId: 'm', messages: MESSAGES }));
    });
    expect(second.models.map((s) => s.attributes['llm.stream.outcome'] ?? 'none')).toEqual(['completed', 'none']);
    expect(env.warnings.filter((w) => /ended Span|lambda-llm-tracing/.test(w))).toEqual([]);
  });
});
