/**
 * traceAnthropic content capture: nothing of the prompt, system text, tools or completion is exported by default;
 * with `captureContent` the `system` parameter is `gen_ai.system_instructions`, messages and output follow the
 * conventions' JSON shape (`tool_use` / `tool_result` as `tool_call` / `tool_call_response` parts), and `tools`
 * are `gen_ai.tool.definitions`; `redactContent` sees every text.
 */
import { describe, expect, it } from 'vitest';
import { collect, exported, invoke, onlyModel } from '../support/openai.js';
import { LINES, MESSAGES, MODEL, PROMPT, SYSTEM, WEATHER, traced, useAnthropicEnv, type AnthropicEnv } from '../support/anthropic.js';

let env: AnthropicEnv;
useAnthropicEnv((e) => (env = e));

const json = (v: unknown) => JSON.parse(String(v));

describe.each(LINES)('$name', (line) => {
  const conversation = async (c: any, stream: boolean) => {
    const first = stream
      ? await c.messages.stream({ model: MODEL, max_tokens: 64, system: SYSTEM, messages: MESSAGES, tools: [WEATHER] }).finalMessage()
      : await c.messages.create({ model: MODEL, max_tokens: 64, system: SYSTEM, messages: MESSAGES, tools: [WEATHER] });
    const call = first.content.find((b: any) => b.type === 'tool_use');
    const history = [
      ...MESSAGES,
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'RESULTSECRET rainy' }] },
    ];
    const second = await c.messages.create({ model: MODEL, max_tokens: 64, system: [{ type: 'text', text: SYSTEM }], messages: history, tools: [WEATHER] });
    return { first, call, second };
  };

  it('default: no prompt, system text, tool schema, tool result or completion in anything exported', async () => {
    const c = traced(line, env);
    const inv = await invoke(env, async () => {
      await conversation(c, false);
      await collect(await c.messages.create({ model: MODEL, max_tokens: 64, messages: MESSAGES, stream: true }));
    });
    const all = exported(inv.spans);
    for (const secret of ['PROMPTSECRET', 'SYSSECRET', 'RESULTSECRET', 'ZEPHYR', 'Weather for a city']) expect(all).not.toContain(secret);
    expect(all).not.toContain('gen_ai.input.messages');
  });

  it.each([false, true])('opt-in (streamed: %s): system, messages with tool parts, output, tool definitions', async (stream) => {
    const c = traced(line, env, { captureContent: true });
    const inv = await invoke(env, () => conversation(c, stream));
    const { call } = inv.result as any;
    const [first, second] = inv.models.sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
    const a = first!.attributes;
    expect(json(a['gen_ai.system_instructions'])).toEqual([{ type: 'text', content: SYSTEM }]);
    expect(json(a['gen_ai.input.messages'])).toEqual([{ role: 'user', parts: [{ type: 'text', content: PROMPT }] }]);
    expect(json(a['gen_ai.tool.definitions'])).toEqual([
      { type: 'function', name: 'get_weather', description: 'Weather for a city', parameters: WEATHER.input_schema },
    ]);
    const [out] = json(a['gen_ai.output.messages']);
    expect(out.finish_reason).toBe('tool_call');
    expect(out.parts[0]).toMatchObject({ type: 'text' });
    expect(out.parts[0].content).toContain('ZEPHYR');
    expect(out.parts[1]).toEqual({ type: 'tool_call', id: call.id, name: 'get_weather', arguments: call.input });
    const input = json(second!.attributes['gen_ai.input.messages']);
    expect(input[1].parts.at(-1)).toEqual({ type: 'tool_call', id: call.id, name: 'get_weather', arguments: call.input });
    expect(input[2].parts).toEqual([{ type: 'tool_call_response', id: call.id, response: 'RESULTSECRET rainy' }]);
    expect(json(second!.attributes['gen_ai.system_instructions'])).toEqual([{ type: 'text', content: SYSTEM }]);
  });

  it('redactContent sees each text and its replacement is what is recorded', async () => {
    const c = traced(line, env, { captureContent: true, redactContent: (text) => text.replace(/\w+SECRET[-\w]*/g, '[x]') });
    const inv = await invoke(env, () => c.messages.create({ model: MODEL, max_tokens: 64, system: SYSTEM, messages: MESSAGES }));
    const all = exported(inv.spans);
    expect(all).not.toContain('SECRET');
    expect(json(onlyModel(inv).attributes['gen_ai.system_instructions'])[0].content).toContain('[x]');
  });
});
