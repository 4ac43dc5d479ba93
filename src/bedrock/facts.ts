/**
 * What a Bedrock response tells, as Bedrock counts it, before it reaches the core's summary: each reader
 * (Converse, InvokeModel per family) returns partial facts, merged as they arrive (stream events come one by one).
 */
import { obj } from '../util.js';

export interface RequestFacts {
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  topK?: number | undefined;
  stopSequences?: string[] | undefined;
}

export interface BedrockFacts {
  finishReason?: string | undefined;
  /** As Bedrock counts them: without the tokens read from or written to the prompt cache. */
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  cacheReadTokens?: number | undefined;
  cacheWriteTokens?: number | undefined;
  responseId?: string | undefined;
  responseModel?: string | undefined;
  /** A guardrail intervened: the provider's own field and value (`stopReason` / `guardrail_intervened`). */
  guardrail?: { field: string; value: string } | undefined;
  /** The stream's final event came (Converse `metadata`, InvokeModel's invocation metrics). */
  final?: boolean | undefined;
}

export const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;

/** Merges what a later event tells over what is known; undefined never overwrites. */
export function merge(into: BedrockFacts, from: BedrockFacts): void {
  for (const [k, v] of Object.entries(from)) if (v !== undefined) (into as Record<string, unknown>)[k] = v;
}

/** Fills only what is still unknown (Bedrock's own counts come second to the family's). */
export function fill(into: BedrockFacts, from: BedrockFacts): void {
  for (const [k, v] of Object.entries(from)) {
    if (v !== undefined && (into as Record<string, unknown>)[k] === undefined) (into as Record<string, unknown>)[k] = v;
  }
}

const decoder = new TextDecoder();

/** An InvokeModel body (string or bytes) as JSON; undefined when it is neither or does not parse. */
export function jsonBody(body: unknown): Record<string, unknown> | undefined {
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) text = decoder.decode(body);
  if (text === undefined) return undefined;
  try {
    return obj(JSON.parse(text));
  } catch {
    return undefined;
  }
}
