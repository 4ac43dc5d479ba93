/**
 * Other SDKs that emit OpenTelemetry themselves land in the invocation's trace: the Vercel AI SDK (`ai` 7 with its
 * `@ai-sdk/otel` integration) makes its spans through the global tracer provider that `withLlmTracing` registers,
 * so they are children of the invocation span and leave with our flush, before the invocation returns.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { OpenTelemetry } from '@ai-sdk/otel';
import { trace } from '@opentelemetry/api';
import { generateText, registerTelemetry, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { API_KEY, invoke, PROMPT, useOpenAIEnv, type Env, type Invocation } from '../support/openai.js';
import type { ReceivedSpan } from '../support/receiver.js';

// The registration a user writes at module scope, beside `withLlmTracing`. `@ai-sdk/otel` pins its own
// `@opentelemetry/api` 1.9.1, so its default tracer is a proxy of that copy, which never learns of the provider
// registered later through the app's 1.10; a tracer from the app's API delegates once we register.
registerTelemetry(new OpenTelemetry({ tracer: trace.getTracer('ai') }));
// The pitfall the README warns of: the default tracer, taken before the first invocation registers our provider.
const defaultTracerAtModuleScope = new OpenTelemetry();

let env: Env;
useOpenAIEnv((e) => (env = e));

const provider = () => createOpenAI({ apiKey: API_KEY, baseURL: env.server.url });
const aiSpans = (inv: Invocation<unknown>) => inv.spans.filter((s) => s.spanId !== inv.root.spanId);

/** True when `span` descends from `ancestor` through spans of the same trace. */
function descends(spans: readonly ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let p = byId.get(span.parentSpanId ?? ''); p; p = byId.get(p.parentSpanId ?? '')) if (p.spanId === ancestor.spanId) return true;
  return false;
}

function expectInTrace(inv: Invocation<unknown>): ReceivedSpan[] {
  const own = aiSpans(inv);
  expect(own.length, inv.tree).toBeGreaterThan(0);
  for (const span of own) {
    expect(span.traceId).toBe(inv.root.traceId);
    expect(descends(inv.spans, span, inv.root), `${span.name}\n${inv.tree}`).toBe(true);
  }
  // The receiver holds them when the invocation returns: our flush exported them with the invocation span.
  expect(
    own.some((s) => s.parentSpanId === inv.root.spanId),
    inv.tree,
  ).toBe(true);
  return own;
}

describe('the Vercel AI SDK inside a wrapped handler', () => {
  it('generateText: its spans descend from the invocation span, carry its gen_ai attributes and leave with our flush', async () => {
    const inv = await invoke(env, () => generateText({ model: provider().chat('gpt-4o-mini'), prompt: PROMPT }));
    expect(inv.error).toBeUndefined();
    expect(inv.result?.text.length).toBeGreaterThan(0);
    const own = expectInTrace(inv);
    const agent = own.find((s) => s.name === 'invoke_agent gpt-4o-mini');
    expect(agent?.parentSpanId, inv.tree).toBe(inv.root.spanId);
    const call = own.find((s) => s.name === 'chat gpt-4o-mini');
    expect(call, inv.tree).toBeDefined();
    expect(call!.kind).toBe('CLIENT');
    expect(call!.attributes['gen_ai.operation.name']).toBe('chat');
    expect(call!.attributes['gen_ai.request.model']).toBe('gpt-4o-mini');
    expect(Number(call!.attributes['gen_ai.usage.input_tokens'])).toBe(inv.result!.usage.inputTokens);
    expect(Number(call!.attributes['gen_ai.usage.output_tokens'])).toBe(inv.result!.usage.outputTokens);
    // Unlike our adapters, the AI SDK records the prompt unless `recordInputs: false`.
    expect(String(call!.attributes['gen_ai.input.messages'])).toContain(PROMPT);
  });

  it('streamText: drained inside the handler, its spans are exported by the same flush', async () => {
    const inv = await invoke(env, async () => {
      const result = streamText({ model: provider().chat('gpt-4o-mini'), prompt: PROMPT });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      return text;
    });
    expect(inv.error).toBeUndefined();
    expect(inv.result?.length).toBeGreaterThan(0);
    const own = expectInTrace(inv);
    expect(
      own.some((s) => s.attributes['gen_ai.usage.output_tokens'] !== undefined),
      inv.tree,
    ).toBe(true);
  });

  it('without the tracer option, an integration made at module scope sends nothing (its pinned API copy never delegates)', async () => {
    const model = provider().chat('gpt-4o-mini');
    const inv = await invoke(env, () => generateText({ model, prompt: PROMPT, telemetry: { integrations: defaultTracerAtModuleScope } }));
    expect(inv.error).toBeUndefined();
    expect(aiSpans(inv), inv.tree).toEqual([]);
  });
});
