/**
 * What the Bedrock adapter keeps per call, beside the core's summary (the adapter interface is stateless, so
 * the state hangs off the call's summary): Bedrock's facts as they arrive, the token counts from the response
 * headers, the configured guardrail, and tool calls being streamed. `project` writes the facts into the summary
 * in the conventions' terms, again after each event, so the summary is right whenever the span ends.
 */
import type { ToolCall } from '../genai/content.js';
import type { ResponseSummary } from '../genai/summary.js';
import type { BedrockFacts } from './facts.js';

export interface CallState {
  facts: BedrockFacts;
  headerInputTokens?: number | undefined;
  headerOutputTokens?: number | undefined;
  guardrail: { id?: string | undefined; version?: string | undefined };
  guardrailReported: boolean;
  tools: Map<number, ToolCall>;
}

const states = new WeakMap<ResponseSummary, CallState>();

export function stateOf(summary: ResponseSummary): CallState {
  let state = states.get(summary);
  if (!state) states.set(summary, (state = { facts: {}, guardrail: {}, guardrailReported: false, tools: new Map() }));
  return state;
}

export const EVENT_GEN_AI_GUARDRAIL_RESULT = 'gen_ai.guardrail.result';

export function project(summary: ResponseSummary, state: CallState): void {
  const f = state.facts;
  const input = f.inputTokens ?? state.headerInputTokens;
  // The conventions count cached tokens as input; Bedrock counts them apart.
  if (input !== undefined) summary.inputTokens = input + (f.cacheReadTokens ?? 0) + (f.cacheWriteTokens ?? 0);
  summary.outputTokens = f.outputTokens ?? state.headerOutputTokens;
  summary.cacheReadTokens = f.cacheReadTokens;
  summary.cacheCreationTokens = f.cacheWriteTokens;
  if (f.responseId) summary.id = f.responseId;
  if (f.responseModel) summary.model = f.responseModel;
  if (f.finishReason) summary.choice(0).finishReason = f.finishReason;
  if (f.guardrail && !state.guardrailReported) {
    state.guardrailReported = true;
    const { id, version } = state.guardrail;
    summary.events.push({
      name: EVENT_GEN_AI_GUARDRAIL_RESULT,
      attributes: {
        'gen_ai.guardrail.component.name': 'Amazon Bedrock Guardrails',
        ...(id !== undefined ? { 'gen_ai.guardrail.policy.id': id } : {}),
        ...(version !== undefined ? { 'gen_ai.guardrail.policy.version': version } : {}),
        'gen_ai.guardrail.result.type': f.guardrail.field,
        'gen_ai.guardrail.result.value': f.guardrail.value,
      },
    });
  }
}
