/**
 * From 0.134 `@anthropic-ai/sdk` makes its own OpenTelemetry span per call when a tracer provider is registered
 * (on by default, off with `ANTHROPIC_OPEN_TELEMETRY=false`, read when a client is constructed). A traced client
 * must still yield exactly one GenAI span per call, ours, with the attempt spans under it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collect, invoke, onlyModel } from '../support/openai.js';
import { LINES, MESSAGES, MODEL, client, traced, useAnthropicEnv, type AnthropicEnv } from '../support/anthropic.js';

let env: AnthropicEnv;
useAnthropicEnv((e) => (env = e));

const line = LINES.find((l) => l.name === 'anthropic1')!;
const params = { model: MODEL, max_tokens: 64, messages: MESSAGES };
const sdkSpans = (inv: Awaited<ReturnType<typeof invoke>>) => inv.spans.filter((s) => s.scope.name.startsWith('com.anthropic.sdk'));

afterEach(() => {
  delete process.env.ANTHROPIC_OPEN_TELEMETRY;
});

describe('the SDK telemetry is live in this setup', () => {
  it('an untraced 1.x client emits its own span under the invocation', async () => {
    const c = client(line, env);
    const inv = await invoke(env, () => c.messages.create(params));
    const [own] = sdkSpans(inv);
    expect(own?.attributes['gen_ai.provider.name']).toBe('anthropic');
    expect(own?.parentSpanId).toBe(inv.root.spanId);
  });
});

describe.each([
  { setting: 'unset', value: undefined },
  { setting: 'true', value: 'true' },
  { setting: 'false', value: 'false' },
])('ANTHROPIC_OPEN_TELEMETRY $setting', ({ value }) => {
  const tracedClient = () => {
    if (value !== undefined) process.env.ANTHROPIC_OPEN_TELEMETRY = value;
    return traced(line, env);
  };

  it('create, stream and the helper: one GenAI span each, ours, attempts under it', async () => {
    const c = tracedClient();
    const inv = await invoke(env, async () => {
      await c.messages.create(params);
      await collect(await c.messages.create({ ...params, stream: true }));
      await c.messages.stream(params).finalMessage();
    });
    expect(sdkSpans(inv)).toEqual([]);
    const genai = inv.spans.filter((s) => s.attributes['gen_ai.operation.name'] !== undefined || s.attributes['gen_ai.provider.name'] !== undefined);
    expect(genai).toHaveLength(3);
    for (const m of inv.models) expect(inv.attempts(m)).toHaveLength(1);
  });

  it('a failed call: one span, with the error', async () => {
    env.server.script({ kind: 'status', status: 400 });
    const c = tracedClient();
    const inv = await invoke(env, () => c.messages.create(params));
    expect(sdkSpans(inv)).toEqual([]);
    expect(onlyModel(inv).attributes['error.type']).toBe('400');
  });
});
