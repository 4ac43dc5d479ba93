/** `POST /v1/embeddings`: deterministic unit vectors, as floats or base64. */
import { createHash } from 'node:crypto';
import { badRequest } from './errors.ts';
import { respondJson } from './http.ts';
import { requireModel } from './model.ts';
import { tokensForText } from './tokens.ts';
import type { Exchange, Json } from './types.ts';

const MAX_EMBEDDING_INPUTS = 2048;

const MAX_EMBEDDING_DIMENSIONS = 4096;

export async function embeddings(ex: Exchange, body: Json): Promise<void> {
  const model = requireModel(body);
  const input = body['input'];
  let inputs: string[];
  let tokens = 0;
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input) && input.every((x) => typeof x === 'string')) inputs = input as string[];
  else if (Array.isArray(input) && input.every((x) => typeof x === 'number')) inputs = [JSON.stringify(input)];
  else if (Array.isArray(input) && input.every((x) => Array.isArray(x))) inputs = (input as unknown[]).map((x) => JSON.stringify(x));
  else throw badRequest("'input' is a required property", 'input');
  if (inputs.length === 0 || inputs.length > MAX_EMBEDDING_INPUTS) {
    throw badRequest(`'input' must contain between 1 and ${MAX_EMBEDDING_INPUTS} items.`, 'input');
  }
  const defaultDims = model.includes('large') ? 3072 : 1536;
  const dims = body['dimensions'] ?? defaultDims;
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > MAX_EMBEDDING_DIMENSIONS) {
    throw badRequest(`'dimensions' must be an integer between 1 and ${MAX_EMBEDDING_DIMENSIONS}.`, 'dimensions');
  }
  const format = body['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw badRequest(`Invalid value for 'encoding_format': '${String(format)}'.`, 'encoding_format', 'invalid_value');
  }
  const data = inputs.map((text, index) => {
    tokens += Math.max(1, tokensForText(text));
    const vec = embeddingVector(text, dims);
    const embedding =
      format === 'base64' ? Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength).toString('base64') : Array.from(vec);
    return { object: 'embedding', index, embedding };
  });
  return respondJson(ex, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function embeddingVector(text: string, dims: number): Float32Array {
  const out = new Float32Array(dims);
  let seed = createHash('sha256').update(text).digest().readUInt32LE(0) || 1;
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    // xorshift32
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    const v = seed / 0xffffffff - 0.5;
    out[i] = v;
    norm += v * v;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 1;
  for (let i = 0; i < dims; i++) out[i] = out[i]! * scale;
  return out;
}
