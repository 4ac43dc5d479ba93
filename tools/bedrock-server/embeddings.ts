/** InvokeModel bodies for the embedding families: Amazon Titan Text Embeddings and Cohere Embed. */
import { embedding, tokensFor } from './text.ts';
import type { Json } from './types.ts';

export interface EmbeddingReply {
  body: Json;
  inputTokens: number;
}

export function isEmbeddingModel(modelId: string): boolean {
  return modelId.includes('amazon.titan-embed') || modelId.includes('cohere.embed');
}

export function embed(modelId: string, body: Json): EmbeddingReply {
  if (modelId.includes('cohere.embed')) {
    const inputs = Array.isArray(body['texts']) ? (body['texts'] as unknown[]).map(String) : [];
    return {
      body: { id: `emb-${inputs.length}`, response_type: 'embeddings_floats', embeddings: inputs.map((t) => embedding(t, 16)), texts: inputs },
      inputTokens: inputs.reduce((n, t) => n + Math.max(1, tokensFor(t)), 0),
    };
  }
  const text = String(body['inputText'] ?? '');
  const dims = typeof body['dimensions'] === 'number' ? Math.min(1024, Math.max(1, body['dimensions'])) : 16;
  const tokens = Math.max(1, tokensFor(text));
  return { body: { embedding: embedding(text, dims), inputTextTokenCount: tokens }, inputTokens: tokens };
}
