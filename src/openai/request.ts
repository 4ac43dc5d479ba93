import type { Attributes } from '@opentelemetry/api';
import * as G from '../genai/semconv.js';
import * as O from './semconv.js';
import { num, str } from '../util.js';

export type OpenAIOperation = 'chat.completions' | 'responses' | 'embeddings';
type Params = Record<string, unknown>;

function outputType(params: Params): string | undefined {
  const format = (params.response_format ?? (params.text as Params | undefined)?.format) as { type?: unknown } | undefined;
  if (!format || typeof format.type !== 'string') return undefined;
  return format.type === 'json_schema' || format.type === 'json_object' ? 'json' : format.type === 'text' ? 'text' : undefined;
}

/** The span name and request attributes of one call. Only parameters, never content. */
export function requestAttributes(operation: OpenAIOperation, params: Params, server: Attributes): { name: string; attributes: Attributes } {
  const model = str(params.model) ?? 'unknown';
  const opName = operation === 'embeddings' ? G.OPERATION_EMBEDDINGS : G.OPERATION_CHAT;
  const attributes: Attributes = {
    [G.ATTR_GEN_AI_OPERATION_NAME]: opName,
    [G.ATTR_GEN_AI_PROVIDER_NAME]: O.PROVIDER_OPENAI,
    [G.ATTR_GEN_AI_REQUEST_MODEL]: model,
    ...server,
  };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) attributes[key] = value as Attributes[string];
  };
  if (operation === 'embeddings') {
    const format = str(params.encoding_format);
    if (format) set(G.ATTR_GEN_AI_REQUEST_ENCODING_FORMATS, [format]);
    set(G.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, num(params.dimensions));
    return { name: `${opName} ${model}`, attributes };
  }
  attributes[O.ATTR_OPENAI_API_TYPE] = operation === 'responses' ? O.API_TYPE_RESPONSES : O.API_TYPE_CHAT_COMPLETIONS;
  attributes[G.ATTR_GEN_AI_REQUEST_STREAM] = params.stream === true;
  set(G.ATTR_GEN_AI_REQUEST_MAX_TOKENS, num(params.max_completion_tokens) ?? num(params.max_tokens) ?? num(params.max_output_tokens));
  set(G.ATTR_GEN_AI_REQUEST_TEMPERATURE, num(params.temperature));
  set(G.ATTR_GEN_AI_REQUEST_TOP_P, num(params.top_p));
  set(G.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, num(params.frequency_penalty));
  set(G.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, num(params.presence_penalty));
  set(G.ATTR_GEN_AI_REQUEST_SEED, num(params.seed));
  const n = num(params.n);
  if (n !== undefined && n !== 1) set(G.ATTR_GEN_AI_REQUEST_CHOICE_COUNT, n);
  const stop = typeof params.stop === 'string' ? [params.stop] : Array.isArray(params.stop) ? params.stop.filter((s) => typeof s === 'string') : undefined;
  if (stop?.length) set(G.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, stop);
  set(G.ATTR_GEN_AI_OUTPUT_TYPE, outputType(params));
  const tier = str(params.service_tier);
  if (tier) set(O.ATTR_OPENAI_REQUEST_SERVICE_TIER, tier);
  return { name: `${opName} ${model}`, attributes };
}
