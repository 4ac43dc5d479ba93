/**
 * traceBedrock content capture, opt-in as for OpenAI: Converse messages, system blocks, tool definitions and
 * the output (tool use as tool_call parts), streamed or not; nothing without the option, redaction applied.
 */
import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { BEDROCK_MARKER } from '../../tools/bedrock-server/index.ts';
import { MESSAGES, PROMPT, SYSTEM, collect, invoke, onlyModel, traced, useBedrockEnv, type Env } from '../support/bedrock.js';

let env: Env;
useBedrockEnv((e) => (env = e));

const toolConfig = {
  tools: [{ toolSpec: { name: 'get_tide', description: 'Tide times', inputSchema: { json: { type: 'object', properties: { port: { type: 'string' } } } } } }],
};
const REQUEST = { modelId: 'amazon.nova-lite-v1:0', messages: MESSAGES, system: [{ text: SYSTEM }] };
const json = (v: unknown) => JSON.parse(String(v));

describe('content capture', () => {
  it('records input, system instructions and output when asked', async () => {
    const inv = await invoke(env, () => traced(env, { captureContent: true }).send(new ConverseCommand(REQUEST)));
    const a = onlyModel(inv).attributes;
    expect(json(a['gen_ai.input.messages'])).toEqual([{ role: 'user', parts: [{ type: 'text', content: PROMPT }] }]);
    expect(json(a['gen_ai.system_instructions'])).toEqual([{ type: 'text', content: SYSTEM }]);
    const [out] = json(a['gen_ai.output.messages']);
    expect(out).toMatchObject({ role: 'assistant', finish_reason: 'end_turn' });
    expect(out.parts[0].content).toContain(BEDROCK_MARKER);
  });

  it('records tool definitions and tool use as tool_call parts, streamed alike', async () => {
    const client = traced(env, { captureContent: true });
    const plain = await invoke(env, () => client.send(new ConverseCommand({ ...REQUEST, toolConfig })));
    const streamed = await invoke(env, async () => collect((await client.send(new ConverseStreamCommand({ ...REQUEST, toolConfig }))).stream!));
    const use = plain.result!.output!.message!.content!.find((b) => b.toolUse)!.toolUse!;
    for (const inv of [plain, streamed]) {
      const a = onlyModel(inv).attributes;
      expect(json(a['gen_ai.tool.definitions'])).toEqual([
        { type: 'function', name: 'get_tide', description: 'Tide times', parameters: toolConfig.tools[0]!.toolSpec.inputSchema.json },
      ]);
      const [out] = json(a['gen_ai.output.messages']);
      const call = out.parts.find((p: { type: string }) => p.type === 'tool_call');
      expect(call).toEqual({ type: 'tool_call', id: use.toolUseId, name: 'get_tide', arguments: use.input });
      expect(out.finish_reason).toBe('tool_use');
    }
  });

  it('records tool results as the tool speaking', async () => {
    const messages = [
      ...MESSAGES,
      { role: 'assistant' as const, content: [{ toolUse: { toolUseId: 't1', name: 'get_tide', input: { port: 'Brest' } } }] },
      { role: 'user' as const, content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'high at noon' }] } }] },
    ];
    const inv = await invoke(env, () => traced(env, { captureContent: true }).send(new ConverseCommand({ ...REQUEST, messages, toolConfig })));
    const input = json(onlyModel(inv).attributes['gen_ai.input.messages']);
    expect(input[1]).toEqual({ role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'get_tide', arguments: { port: 'Brest' } }] });
    expect(input[2]).toEqual({ role: 'tool', parts: [{ type: 'tool_call_response', id: 't1', response: 'high at noon' }] });
  });

  it('applies the redactor to every text', async () => {
    const redactContent = (text: string) => text.replaceAll('PROMPTSECRET', '[x]');
    const inv = await invoke(env, () => traced(env, { captureContent: true, redactContent }).send(new ConverseCommand(REQUEST)));
    expect(String(onlyModel(inv).attributes['gen_ai.input.messages'])).not.toContain('PROMPTSECRET');
  });

  it('records nothing of the content by default', async () => {
    const inv = await invoke(env, () => traced(env).send(new ConverseCommand({ ...REQUEST, toolConfig })));
    const a = onlyModel(inv).attributes;
    for (const k of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.definitions']) expect(a[k]).toBeUndefined();
  });
});
