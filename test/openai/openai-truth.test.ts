/**
 * What the model span says matches what happened, majors 4–7: system messages stay in the history, tool-call
 * arguments are objects, the request's tools are recorded, an interrupted stream finishes with `error`, every
 * Responses tool-call item means `tool_call`, a failed call keeps its request id, and an SDK error is typed with
 * the documented vocabulary on every span that records it, never with a minified class name.
 */
import { describe, expect, it } from 'vitest';
import { traceRecord, traceStep } from '../../src/index.js';
import { MAJORS, MESSAGES, PROMPT, SCHEMA, SYSTEM, collect, invoke, onlyModel, traced, useOpenAIEnv, type AnyClient, type Env } from '../support/openai.js';

let env: Env;
useOpenAIEnv((e) => (env = e));

const json = (v: unknown) => JSON.parse(String(v));
const TOOL = { type: 'function', function: { name: 'get_city', description: 'Finds a city', parameters: SCHEMA } };
const RESPONSES_TOOLS = [{ type: 'function', name: 'get_city', description: 'Finds a city', parameters: SCHEMA, strict: true }, { type: 'web_search' }];
const byStart = <T extends { startTimeUnixNano: bigint | string }>(spans: T[]) => spans.sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));

/** Output items of the Responses API that are tool calls, as the API reference shows them. */
const TOOL_ITEMS: Record<string, unknown>[] = [
  { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_city', arguments: '{"city":"Oslo"}', status: 'completed' },
  { type: 'custom_tool_call', id: 'ctc_1', call_id: 'call_2', name: 'grammar', input: 'SELECT 1' },
  {
    type: 'computer_call',
    id: 'cu_1',
    call_id: 'call_3',
    action: { type: 'click', button: 'left', x: 1, y: 2 },
    pending_safety_checks: [],
    status: 'completed',
  },
  { type: 'local_shell_call', id: 'ls_1', call_id: 'call_4', action: { type: 'exec', command: ['ls'], env: {} }, status: 'completed' },
  { type: 'mcp_call', id: 'mcp_1', server_label: 'docs', name: 'search', arguments: '{}', output: null, error: null },
  { type: 'mcp_approval_request', id: 'mcpr_1', server_label: 'docs', name: 'search', arguments: '{}' },
  { type: 'web_search_call', id: 'ws_1', status: 'completed' },
];

describe.each(MAJORS)('$name', (major) => {
  let c: AnyClient;
  const content = () => (c ??= traced(major, env, { captureContent: true }));

  it('system and developer messages stay in gen_ai.input.messages; Responses instructions are the system instructions', async () => {
    const messages = [{ role: 'system', content: SYSTEM }, { role: 'developer', content: 'Be brief.' }, ...MESSAGES];
    const inv = await invoke(env, async () => [
      await content().chat.completions.create({ model: 'gpt-4o-mini', messages }),
      await content().responses.create({
        model: 'gpt-4o-mini',
        input: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: PROMPT },
        ],
        instructions: SYSTEM,
      }),
    ]);
    const [chat, resp] = byStart(inv.models);
    expect(json(chat!.attributes['gen_ai.input.messages']).map((m: any) => m.role)).toEqual(['system', 'developer', 'user']);
    expect(chat!.attributes['gen_ai.system_instructions']).toBeUndefined();
    expect(json(resp!.attributes['gen_ai.input.messages']).map((m: any) => m.role)).toEqual(['developer', 'user']);
    expect(json(resp!.attributes['gen_ai.system_instructions'])).toEqual([{ type: 'text', content: SYSTEM }]);
  });

  it('tool-call arguments are the parsed object; a text that does not parse stays a string', async () => {
    const calls = [
      { id: 'call_a', type: 'function', function: { name: 'get_city', arguments: '{"city":"Oslo","population":700000}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_city', arguments: '{"city": "Os' } },
    ];
    const messages = [...MESSAGES, { role: 'assistant', content: null, tool_calls: calls }, { role: 'tool', tool_call_id: 'call_a', content: 'sunny' }];
    const inv = await invoke(env, async () => [
      await content().chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [TOOL] }),
      await content().chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, tools: [TOOL], tool_choice: 'required' }),
      await collect(
        await content().chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, tools: [TOOL], tool_choice: 'required', stream: true }),
      ),
    ]);
    const [history, whole, streamed] = byStart(inv.models);
    expect(json(history!.attributes['gen_ai.input.messages'])[1].parts).toEqual([
      { type: 'tool_call', id: 'call_a', name: 'get_city', arguments: { city: 'Oslo', population: 700000 } },
      { type: 'tool_call', id: 'call_b', name: 'get_city', arguments: '{"city": "Os' },
    ]);
    const sent = JSON.parse((inv.result as any[])[1].choices[0].message.tool_calls[0].function.arguments);
    for (const span of [whole!, streamed!]) {
      const [message] = json(span.attributes['gen_ai.output.messages']);
      expect(message.parts[0]).toMatchObject({ type: 'tool_call', name: 'get_city', arguments: sent });
      expect(message.finish_reason).toBe('tool_call');
      expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_call']);
    }
  });

  it('gen_ai.tool.definitions from the request tools, Chat Completions and Responses, only with content capture', async () => {
    const plain = traced(major, env);
    const inv = await invoke(env, async () => [
      await content().chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, tools: [TOOL] }),
      await content().responses.create({ model: 'gpt-4o-mini', input: PROMPT, tools: RESPONSES_TOOLS }),
      await plain.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, tools: [TOOL] }),
    ]);
    const [chat, resp, off] = byStart(inv.models);
    const fn = { type: 'function', name: 'get_city', description: 'Finds a city', parameters: SCHEMA };
    expect(json(chat!.attributes['gen_ai.tool.definitions'])).toEqual([fn]);
    expect(json(resp!.attributes['gen_ai.tool.definitions'])).toEqual([fn, { type: 'web_search', name: 'web_search' }]);
    expect(off!.attributes['gen_ai.tool.definitions']).toBeUndefined();
  });

  it('a stream cut by an error event or a reset finishes with error, on the output message and the span', async () => {
    for (const kind of ['midStreamError', 'midStreamReset'] as const) {
      env.server.script({ kind, afterChunks: 3 });
      const inv = await invoke(env, async () => collect(await content().chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })));
      expect(inv.error).toBeDefined();
      const span = onlyModel(inv);
      expect(span.attributes['llm.stream.outcome']).toBe('error');
      expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['error']);
      const [message] = json(span.attributes['gen_ai.output.messages']);
      expect(message.finish_reason).toBe('error');
      expect(message.parts[0].content.length).toBeGreaterThan(0);
    }
  });

  it('Responses: every tool-call output item means tool_call, whole and streamed; a completed event without status is stop', async () => {
    const c0 = traced(major, env);
    for (const item of TOOL_ITEMS) {
      env.server.script({ kind: 'output', items: [item] }, { kind: 'output', items: [item] });
      const inv = await invoke(env, async () => [
        await c0.responses.create({ model: 'gpt-4o-mini', input: PROMPT }),
        await collect(await c0.responses.create({ model: 'gpt-4o-mini', input: PROMPT, stream: true })),
      ]);
      expect(
        inv.models.map((s) => s.attributes['gen_ai.response.finish_reasons']),
        String(item.type),
      ).toEqual([['tool_call'], ['tool_call']]);
    }
    const message = { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'hi', annotations: [] }] };
    env.server.script({ kind: 'output', items: [message], omitStatus: true });
    const inv = await invoke(env, async () => collect(await c0.responses.create({ model: 'gpt-4o-mini', input: PROMPT, stream: true })));
    expect(onlyModel(inv).attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });

  it('a call that failed after a response (4xx, 5xx) keeps llm.openai.request_id on its model span', async () => {
    const c0 = traced(major, env);
    for (const status of [400, 500]) {
      env.server.script({ kind: 'status', status });
      const inv = await invoke(env, () => c0.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }));
      const error = inv.error as { request_id?: string; requestID?: string };
      const id = error.requestID ?? error.request_id;
      expect(id).toMatch(/\S/);
      const span = onlyModel(inv);
      expect(span.attributes['llm.openai.request_id']).toBe(id);
      expect(inv.attempts(span)[0]!.attributes['llm.openai.request_id']).toBe(id);
    }
  });

  it('an SDK error is typed alike on the model, step, record and invocation spans', async () => {
    const c0 = traced(major, env);
    env.server.script({ kind: 'status', status: 429 });
    const record = { messageId: 'm1', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs', body: '{}' };
    const inv = await invoke(env, () =>
      traceRecord(record, () => traceStep('answer', () => c0.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }))),
    );
    expect(inv.error).toBeInstanceOf(major.OpenAI.RateLimitError);
    const named = (name: string) => inv.spans.find((s) => s.name === name)!;
    for (const span of [inv.root, named('process jobs'), named('answer'), named('chat gpt-4o-mini')]) {
      expect(span.attributes['error.type'], span.name).toBe('rate_limit');
    }
  });
});

describe('error.type of other errors', () => {
  const typeOf = async (error: unknown) => {
    const inv = await invoke(env, async () => {
      throw error;
    });
    return inv.root.attributes['error.type'];
  };

  it("the error's own name, a code, a real class name, else _OTHER; never a minified name", async () => {
    class ValidationFailure extends Error {}
    const lt = class lt extends Error {};
    const $e = class extends Error {};
    Object.defineProperty($e, 'name', { value: '$e' });
    const renamed = new lt('x');
    renamed.name = 'lt';
    expect(await typeOf(new RangeError('x'))).toBe('RangeError');
    expect(await typeOf(Object.assign(new Error('x'), { name: 'QuotaExceeded' }))).toBe('QuotaExceeded');
    expect(await typeOf(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    expect(await typeOf(new ValidationFailure('x'))).toBe('ValidationFailure');
    expect(await typeOf(new lt('x'))).toBe('_OTHER');
    expect(await typeOf(new $e('x'))).toBe('_OTHER');
    expect(await typeOf(renamed)).toBe('_OTHER');
    expect(await typeOf(new Error('x'))).toBe('_OTHER');
    expect(await typeOf('a string')).toBe('_OTHER');
  });
});
