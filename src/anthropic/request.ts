import type { Attributes } from '@opentelemetry/api';
import type { ModelRequest } from '../genai/adapter.js';
import * as G from '../genai/semconv.js';
import { num, str } from '../util.js';

/** The span name and request attributes of a Messages call: parameters only, never content. */
export function requestAttributes(params: Record<string, unknown>, server: Attributes, provider: string): ModelRequest {
  const model = str(params.model);
  const attributes: Attributes = {
    [G.ATTR_GEN_AI_OPERATION_NAME]: G.OPERATION_CHAT,
    [G.ATTR_GEN_AI_PROVIDER_NAME]: provider,
    [G.ATTR_GEN_AI_REQUEST_MODEL]: model,
    [G.ATTR_GEN_AI_REQUEST_STREAM]: params.stream === true,
    ...server,
  };
  const set = (key: string, value: Attributes[string]) => {
    if (value !== undefined) attributes[key] = value;
  };
  set(G.ATTR_GEN_AI_REQUEST_MAX_TOKENS, num(params.max_tokens));
  set(G.ATTR_GEN_AI_REQUEST_TEMPERATURE, num(params.temperature));
  set(G.ATTR_GEN_AI_REQUEST_TOP_P, num(params.top_p));
  set(G.ATTR_GEN_AI_REQUEST_TOP_K, num(params.top_k));
  const stop = Array.isArray(params.stop_sequences) ? params.stop_sequences.filter((s): s is string => typeof s === 'string') : [];
  if (stop.length) set(G.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, stop);
  return { name: `${G.OPERATION_CHAT} ${model}`, attributes, model, streaming: params.stream === true };
}
