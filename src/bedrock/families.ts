/**
 * InvokeModel bodies per model family, recognised from the model id (plain, region-prefixed or an ARN):
 * where each family puts its parameters, stop reason and token counts, in the full body and in stream chunks.
 * A family not listed here is not read: its span carries only what the request and the SDK metadata tell.
 */
import { num, obj, str } from '../util.js';
import { merge, strings, type BedrockFacts, type RequestFacts } from './facts.js';

type Json = Record<string, unknown>;

export interface Family {
  name: string;
  operation: 'chat' | 'embeddings';
  request(body: Json): RequestFacts;
  response(body: Json): BedrockFacts;
  /** What one stream chunk tells (undefined for embedding families, which do not stream). */
  chunk?(chunk: Json): BedrockFacts;
}

const stop = (reason: unknown): BedrockFacts => ({ finishReason: str(reason) });

const anthropicUsage = (u: unknown): BedrockFacts => {
  const usage = obj(u) ?? {};
  return {
    inputTokens: num(usage['input_tokens']),
    outputTokens: num(usage['output_tokens']),
    cacheReadTokens: num(usage['cache_read_input_tokens']),
    cacheWriteTokens: num(usage['cache_creation_input_tokens']),
  };
};

const anthropic: Family = {
  name: 'anthropic',
  operation: 'chat',
  request: (b) => ({
    maxTokens: num(b['max_tokens']) ?? num(b['max_tokens_to_sample']),
    temperature: num(b['temperature']),
    topP: num(b['top_p']),
    topK: num(b['top_k']),
    stopSequences: strings(b['stop_sequences']),
  }),
  response: (b) => ({ ...anthropicUsage(b['usage']), ...stop(b['stop_reason']), responseId: str(b['id']), responseModel: str(b['model']) }),
  chunk: (c) => {
    if (c['type'] === 'message_start') {
      const message = obj(c['message']) ?? {};
      const usage = anthropicUsage(message['usage']);
      // message_start's output_tokens is a placeholder; the count comes in message_delta.
      return {
        inputTokens: usage.inputTokens,
        cacheReadTokens: usage.cacheReadTokens,
        cacheWriteTokens: usage.cacheWriteTokens,
        responseId: str(message['id']),
        responseModel: str(message['model']),
      };
    }
    if (c['type'] === 'message_delta') {
      return { ...stop(obj(c['delta'])?.['stop_reason']), outputTokens: num(obj(c['usage'])?.['output_tokens']) };
    }
    return {};
  },
};

const novaUsage = (u: unknown): BedrockFacts => {
  const usage = obj(u) ?? {};
  return {
    inputTokens: num(usage['inputTokens']),
    outputTokens: num(usage['outputTokens']),
    cacheReadTokens: num(usage['cacheReadInputTokenCount']),
    cacheWriteTokens: num(usage['cacheWriteInputTokenCount']),
  };
};

const nova: Family = {
  name: 'nova',
  operation: 'chat',
  request: (b) => {
    const c = obj(b['inferenceConfig']) ?? {};
    return {
      maxTokens: num(c['maxTokens']) ?? num(c['max_new_tokens']),
      temperature: num(c['temperature']),
      topP: num(c['topP']) ?? num(c['top_p']),
      topK: num(c['topK']) ?? num(c['top_k']),
      stopSequences: strings(c['stopSequences']),
    };
  },
  response: (b) => ({ ...novaUsage(b['usage']), ...stop(b['stopReason']) }),
  chunk: (c) => ({ ...stop(obj(c['messageStop'])?.['stopReason']), ...(obj(c['metadata']) ? novaUsage(obj(c['metadata'])!['usage']) : {}) }),
};

const llama: Family = {
  name: 'llama',
  operation: 'chat',
  request: (b) => ({ maxTokens: num(b['max_gen_len']), temperature: num(b['temperature']), topP: num(b['top_p']) }),
  response: (b) => ({ inputTokens: num(b['prompt_token_count']), outputTokens: num(b['generation_token_count']), ...stop(b['stop_reason']) }),
  chunk: (c) => ({
    inputTokens: num(c['prompt_token_count']),
    ...(c['stop_reason'] ? { ...stop(c['stop_reason']), outputTokens: num(c['generation_token_count']) } : {}),
  }),
};

const mistralStop = (b: Json): BedrockFacts => {
  const outputs = Array.isArray(b['outputs']) ? (b['outputs'] as unknown[]) : Array.isArray(b['choices']) ? (b['choices'] as unknown[]) : [];
  const first = obj(outputs[0]);
  return { finishReason: str(first?.['stop_reason']) ?? str(first?.['finish_reason']) };
};

const mistral: Family = {
  name: 'mistral',
  operation: 'chat',
  request: (b) => ({
    maxTokens: num(b['max_tokens']),
    temperature: num(b['temperature']),
    topP: num(b['top_p']),
    topK: num(b['top_k']),
    stopSequences: strings(b['stop']),
  }),
  response: mistralStop,
  chunk: mistralStop,
};

const cohere: Family = {
  name: 'cohere',
  operation: 'chat',
  request: (b) => ({
    maxTokens: num(b['max_tokens']),
    temperature: num(b['temperature']),
    topP: num(b['p']),
    topK: num(b['k']),
    stopSequences: strings(b['stop_sequences']),
  }),
  response: (b) => ({ ...stop(b['finish_reason']), responseId: str(b['response_id']) ?? str(b['generation_id']) }),
  chunk: (c) => (c['is_finished'] === true ? stop(c['finish_reason']) : {}),
};

const titanEmbed: Family = {
  name: 'titan-embed',
  operation: 'embeddings',
  request: () => ({}),
  response: (b) => ({ inputTokens: num(b['inputTextTokenCount']) }),
};

const cohereEmbed: Family = {
  name: 'cohere-embed',
  operation: 'embeddings',
  request: () => ({}),
  response: (b) => ({ responseId: str(b['id']) }),
};

export function familyOf(modelId: string): Family | undefined {
  if (modelId.includes('anthropic.claude')) return anthropic;
  if (modelId.includes('amazon.nova')) return nova;
  if (modelId.includes('meta.llama')) return llama;
  if (modelId.includes('mistral.')) return mistral;
  if (modelId.includes('cohere.command')) return cohere;
  if (modelId.includes('amazon.titan-embed')) return titanEmbed;
  if (modelId.includes('cohere.embed')) return cohereEmbed;
  return undefined;
}

/** Bedrock's own additions to any family's body or final chunk: token metrics and the guardrail action. */
export function bedrockFields(body: Json): BedrockFacts {
  const metrics = obj(body['amazon-bedrock-invocationMetrics']);
  const action = str(body['amazon-bedrock-guardrailAction']);
  const out: BedrockFacts = {};
  if (metrics) merge(out, { inputTokens: num(metrics['inputTokenCount']), outputTokens: num(metrics['outputTokenCount']), final: true });
  if (action === 'INTERVENED') out.guardrail = { field: 'amazon-bedrock-guardrailAction', value: action };
  return out;
}

const BY_NAME = new Map([anthropic, nova, llama, mistral, cohere, titanEmbed, cohereEmbed].map((f) => [f.name, f]));
export const familyNamed = (name: string): Family | undefined => BY_NAME.get(name);
