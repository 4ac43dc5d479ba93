/**
 * InvokeModel (`POST /model/{modelId}/invoke`): the family's JSON body, and the token-count headers Bedrock
 * adds to every InvokeModel response (`x-amzn-bedrock-input-token-count` / `-output-token-count`).
 */
import { embed, isEmbeddingModel } from './embeddings.ts';
import { chatFamily, type ChatFamily, type Usage } from './families.ts';
import { cacheHit, type ServerState } from './state.ts';
import { hash, reply, tokensFor, type Reply } from './text.ts';
import { sendJson, type Exchange } from './wire.ts';
import type { Fault, Json } from './types.ts';

export interface FamilyReply {
  family: ChatFamily;
  reply: Reply;
  usage: Usage;
}

/** The family's reply with cache accounting: tokens up to the cache marker are read or written, not input. */
export function familyReply(state: ServerState, modelId: string, body: Json, fault: Fault | undefined): FamilyReply {
  const family = chatFamily(modelId);
  const prompt = family.prompt(body);
  const r = reply(prompt.text, prompt.maxTokens, fault);
  const cached = prompt.cached ? tokensFor(prompt.cached) : 0;
  const hit = prompt.cached !== undefined && cacheHit(state, hash(prompt.cached));
  const usage = { input: Math.max(1, r.inputTokens - cached), output: r.outputTokens, cacheRead: hit ? cached : 0, cacheWrite: hit ? 0 : cached };
  return { family, reply: r, usage };
}

export function guardrailFields(r: Reply): Json {
  return r.stopReason === 'guardrail_intervened' ? { 'amazon-bedrock-guardrailAction': 'INTERVENED' } : {};
}

function tokenHeaders(input: number, output: number): Record<string, string> {
  return {
    'x-amzn-bedrock-input-token-count': String(input),
    'x-amzn-bedrock-output-token-count': String(output),
    'x-amzn-bedrock-invocation-latency': '42',
  };
}

export function invokeModel(ex: Exchange, state: ServerState, modelId: string, body: Json, fault: Fault | undefined): void {
  if (isEmbeddingModel(modelId)) {
    const out = embed(modelId, body);
    sendJson(ex, 200, out.body, tokenHeaders(out.inputTokens, 0));
    return;
  }
  const { family, reply: r, usage } = familyReply(state, modelId, body, fault);
  sendJson(ex, 200, { ...family.body(r, usage), ...guardrailFields(r) }, tokenHeaders(usage.input, usage.output));
}
