/**
 * Converse (`POST /model/{modelId}/converse`): the reply as Converse JSON, with tool use when tools are
 * offered, prompt-cache usage when the prompt has cache points, and a guardrail trace when one intervened.
 */
import { cacheHit, type ServerState } from './state.ts';
import { BEDROCK_MARKER, hash, reply, tokensFor, type StopReason } from './text.ts';
import { sendJson, type Exchange } from './wire.ts';
import type { Fault, Json } from './types.ts';

export interface ConverseReply {
  content: Json[];
  stopReason: StopReason;
  usage: Json;
  trace: Json | undefined;
}

function blocksText(blocks: unknown): { text: string; beforeCachePoint: string | undefined } {
  let text = '';
  let beforeCachePoint: string | undefined;
  for (const block of Array.isArray(blocks) ? (blocks as Json[]) : []) {
    if (typeof block?.['text'] === 'string') text += `${block['text']}\n`;
    else if (block?.['toolResult']) text += `${JSON.stringify(block['toolResult'])}\n`;
    else if (block?.['toolUse']) text += `${JSON.stringify(block['toolUse'])}\n`;
    if (block?.['cachePoint']) beforeCachePoint = text;
  }
  return { text, beforeCachePoint };
}

/** The whole prompt as text, and the part up to the last cache point (if any). */
function promptOf(body: Json): { text: string; cached: string | undefined } {
  const system = blocksText(body['system']);
  let text = system.text;
  let cached = system.beforeCachePoint;
  for (const message of Array.isArray(body['messages']) ? (body['messages'] as Json[]) : []) {
    const part = blocksText(message?.['content']);
    if (part.beforeCachePoint !== undefined) cached = text + part.beforeCachePoint;
    text += part.text;
  }
  return { text, cached };
}

function sampleInput(schema: Json | undefined): Json {
  const out: Json = {};
  for (const [name, prop] of Object.entries((schema?.['properties'] ?? {}) as Record<string, Json>)) {
    out[name] = prop?.['type'] === 'number' || prop?.['type'] === 'integer' ? 7 : prop?.['type'] === 'boolean' ? true : BEDROCK_MARKER;
  }
  return out;
}

/** The first offered tool, unless the conversation already ends with a tool result. */
function toolToUse(body: Json): Json | undefined {
  const tools = body['toolConfig']?.['tools'];
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const messages = Array.isArray(body['messages']) ? (body['messages'] as Json[]) : [];
  const last = messages[messages.length - 1]?.['content'];
  if (Array.isArray(last) && last.some((b: Json) => b?.['toolResult'])) return undefined;
  return (tools as Json[]).find((t) => t?.['toolSpec'])?.['toolSpec'];
}

function guardrailTrace(body: Json): Json | undefined {
  const config = body['guardrailConfig'];
  if (!config || config['trace'] === 'disabled') return undefined;
  const id = String(config['guardrailIdentifier'] ?? 'unknown');
  const filters = [{ type: 'VIOLENCE', confidence: 'HIGH', filterStrength: 'HIGH', action: 'BLOCKED', detected: true }];
  return { guardrail: { inputAssessment: { [id]: { contentPolicy: { filters } } }, actionReason: 'Guardrail blocked.' } };
}

export function converseReply(state: ServerState, body: Json, fault: Fault | undefined): ConverseReply {
  const prompt = promptOf(body);
  const maxTokens = body['inferenceConfig']?.['maxTokens'];
  const r = reply(prompt.text, typeof maxTokens === 'number' ? maxTokens : undefined, fault);
  const cachedTokens = prompt.cached ? tokensFor(prompt.cached) : 0;
  const hit = prompt.cached !== undefined && cacheHit(state, hash(prompt.cached));
  // Bedrock's inputTokens leaves out the tokens read from or written to the cache.
  const usage: Json = { inputTokens: Math.max(1, r.inputTokens - cachedTokens), outputTokens: r.outputTokens };
  if (prompt.cached !== undefined) {
    usage['cacheReadInputTokens'] = hit ? cachedTokens : 0;
    usage['cacheWriteInputTokens'] = hit ? 0 : cachedTokens;
  }
  usage['totalTokens'] = usage['inputTokens'] + usage['outputTokens'] + cachedTokens;
  const tool = r.stopReason === 'end_turn' ? toolToUse(body) : undefined;
  if (tool) {
    const toolUse = { toolUseId: `tooluse_${hash(prompt.text + tool['name'], 22)}`, name: tool['name'], input: sampleInput(tool['inputSchema']?.['json']) };
    const content = [{ text: `${BEDROCK_MARKER} calls a tool.` }, { toolUse }];
    return { content, stopReason: 'tool_use', usage: { ...usage, outputTokens: usage['outputTokens'] + 12 }, trace: undefined };
  }
  const trace = r.stopReason === 'guardrail_intervened' ? guardrailTrace(body) : undefined;
  return { content: [{ text: r.text }], stopReason: r.stopReason, usage, trace };
}

export function converse(ex: Exchange, state: ServerState, body: Json, fault: Fault | undefined): void {
  const out = converseReply(state, body, fault);
  const response: Json = {
    output: { message: { role: 'assistant', content: out.content } },
    stopReason: out.stopReason,
    usage: out.usage,
    metrics: { latencyMs: 42 },
  };
  if (out.trace) response['trace'] = out.trace;
  sendJson(ex, 200, response);
}
