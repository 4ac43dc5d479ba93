/**
 * Converse and ConverseStream: request parameters from `inferenceConfig` (and `top_k` from
 * `additionalModelRequestFields`), the outcome from `stopReason` and `usage`; in a stream, the stop reason comes in
 * `messageStop` and the usage only in the final `metadata` event.
 */
import { num, obj, str } from '../util.js';
import { strings, type BedrockFacts, type RequestFacts } from './facts.js';

export function converseRequest(input: Record<string, unknown>): RequestFacts {
  const config = obj(input['inferenceConfig']) ?? {};
  const extra = obj(input['additionalModelRequestFields']) ?? {};
  return {
    maxTokens: num(config['maxTokens']),
    temperature: num(config['temperature']),
    topP: num(config['topP']),
    topK: num(extra['top_k']) ?? num(extra['topK']),
    stopSequences: strings(config['stopSequences']),
  };
}

function usageOf(usage: unknown): BedrockFacts {
  const u = obj(usage) ?? {};
  return {
    inputTokens: num(u['inputTokens']),
    outputTokens: num(u['outputTokens']),
    cacheReadTokens: num(u['cacheReadInputTokens']),
    cacheWriteTokens: num(u['cacheWriteInputTokens']),
  };
}

function stopOf(stopReason: unknown): BedrockFacts {
  const reason = str(stopReason);
  return { finishReason: reason, guardrail: reason === 'guardrail_intervened' ? { field: 'stopReason', value: reason } : undefined };
}

export function converseResponse(output: Record<string, unknown>): BedrockFacts {
  return { ...usageOf(output['usage']), ...stopOf(output['stopReason']) };
}

export function converseEvent(event: unknown): BedrockFacts {
  const e = obj(event);
  const stop = obj(e?.['messageStop']);
  if (stop) return stopOf(stop['stopReason']);
  const metadata = obj(e?.['metadata']);
  if (metadata) return { ...usageOf(metadata['usage']), final: true };
  return {};
}
