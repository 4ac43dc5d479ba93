/**
 * InvokeModel bodies per model family, chosen from the model id (plain, cross-region `us.`-prefixed or an
 * ARN): how each family's request carries the prompt and token limit, and how its response and stream chunks
 * look. Embedding families are in embeddings.ts.
 */
import { hash, pieces, type Reply } from './text.ts';
import type { Json } from './types.ts';

export interface Prompt {
  text: string;
  maxTokens: number | undefined;
  /** The prompt up to its last cache marker, when the family has prompt caching and the request used it. */
  cached?: string | undefined;
}

export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface ChatFamily {
  name: string;
  prompt(body: Json): Prompt;
  body(r: Reply, usage: Usage): Json;
  /** The stream chunks; the last `finalChunks` carry the ending. */
  chunks(r: Reply, usage: Usage): Json[];
  finalChunks: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const texts = (v: unknown): string =>
  typeof v === 'string'
    ? `${v}\n`
    : Array.isArray(v)
      ? v
          .map((b: Json) => (typeof b === 'string' ? b : typeof b?.['text'] === 'string' ? b['text'] : typeof b?.['content'] === 'string' ? b['content'] : ''))
          .join('\n')
      : '';

/** Anthropic blocks mark cache breakpoints with `cache_control`. */
function anthropicPrompt(body: Json): Prompt {
  let text = texts(body['system']);
  let cached: string | undefined = Array.isArray(body['system']) && body['system'].some((b: Json) => b?.['cache_control']) ? text : undefined;
  for (const m of Array.isArray(body['messages']) ? (body['messages'] as Json[]) : []) {
    text += texts(m?.['content']);
    if (Array.isArray(m?.['content']) && m['content'].some((b: Json) => b?.['cache_control'])) cached = text;
  }
  return { text, maxTokens: num(body['max_tokens']), cached };
}

const anthropicStop = (r: Reply): string => (r.stopReason === 'max_tokens' ? 'max_tokens' : 'end_turn');

const anthropic: ChatFamily = {
  name: 'anthropic',
  prompt: anthropicPrompt,
  body: (r, u) => ({
    id: `msg_bdrk_${hash(r.text, 24)}`,
    type: 'message',
    role: 'assistant',
    model: 'claude-3-5-haiku-20241022',
    content: [{ type: 'text', text: r.text }],
    stop_reason: anthropicStop(r),
    stop_sequence: null,
    usage: { input_tokens: u.input, output_tokens: u.output, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead },
  }),
  chunks: (r, u) => {
    const id = `msg_bdrk_${hash(r.text, 24)}`;
    const usage = { input_tokens: u.input, output_tokens: 1, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead };
    return [
      {
        type: 'message_start',
        message: { id, type: 'message', role: 'assistant', model: 'claude-3-5-haiku-20241022', content: [], stop_reason: null, stop_sequence: null, usage },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ...pieces(r.text).map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: anthropicStop(r), stop_sequence: null }, usage: { output_tokens: u.output } },
      { type: 'message_stop' },
    ];
  },
  finalChunks: 2,
};

const nova: ChatFamily = {
  name: 'nova',
  prompt: (b) => ({
    text: texts(b['system']) + (Array.isArray(b['messages']) ? (b['messages'] as Json[]).map((m) => texts(m?.['content'])).join('') : ''),
    maxTokens: num(b['inferenceConfig']?.['maxTokens'] ?? b['inferenceConfig']?.['max_new_tokens']),
  }),
  body: (r, u) => ({
    output: { message: { role: 'assistant', content: [{ text: r.text }] } },
    stopReason: r.stopReason === 'max_tokens' ? 'max_tokens' : 'end_turn',
    usage: { inputTokens: u.input, outputTokens: u.output, totalTokens: u.input + u.output, cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 0 },
  }),
  chunks: (r, u) => [
    { messageStart: { role: 'assistant' } },
    ...pieces(r.text).map((text) => ({ contentBlockDelta: { delta: { text }, contentBlockIndex: 0 } })),
    { contentBlockStop: { contentBlockIndex: 0 } },
    { messageStop: { stopReason: r.stopReason === 'max_tokens' ? 'max_tokens' : 'end_turn' } },
    { metadata: { usage: { inputTokens: u.input, outputTokens: u.output }, metrics: {}, trace: {} } },
  ],
  finalChunks: 2,
};

const llama: ChatFamily = {
  name: 'llama',
  prompt: (b) => ({ text: String(b['prompt'] ?? ''), maxTokens: num(b['max_gen_len']) }),
  body: (r, u) => ({
    generation: r.text,
    prompt_token_count: u.input,
    generation_token_count: u.output,
    stop_reason: r.stopReason === 'max_tokens' ? 'length' : 'stop',
  }),
  chunks: (r, u) => {
    const parts = pieces(r.text);
    return parts.map((generation, i) => ({
      generation,
      prompt_token_count: i === 0 ? u.input : null,
      generation_token_count: i === parts.length - 1 ? u.output : i + 1,
      stop_reason: i === parts.length - 1 ? (r.stopReason === 'max_tokens' ? 'length' : 'stop') : null,
    }));
  },
  finalChunks: 1,
};

const mistral: ChatFamily = {
  name: 'mistral',
  prompt: (b) => ({ text: String(b['prompt'] ?? texts(b['messages'])), maxTokens: num(b['max_tokens']) }),
  body: (r) => ({ outputs: [{ text: r.text, stop_reason: r.stopReason === 'max_tokens' ? 'length' : 'stop' }] }),
  chunks: (r) => {
    const parts = pieces(r.text);
    return parts.map((text, i) => ({ outputs: [{ text, stop_reason: i === parts.length - 1 ? (r.stopReason === 'max_tokens' ? 'length' : 'stop') : null }] }));
  },
  finalChunks: 1,
};

/** Cohere Command R's chat shape (`message`, `chat_history`, `preamble`). */
const cohere: ChatFamily = {
  name: 'cohere',
  prompt: (b) => ({
    text: `${b['preamble'] ?? ''}\n${texts((b['chat_history'] ?? []).map((m: Json) => m?.['message']))}${b['message'] ?? ''}`,
    maxTokens: num(b['max_tokens']),
  }),
  body: (r) => ({
    response_id: hash(`r${r.text}`, 32),
    generation_id: hash(`g${r.text}`, 32),
    text: r.text,
    finish_reason: r.stopReason === 'max_tokens' ? 'MAX_TOKENS' : 'COMPLETE',
    chat_history: [],
  }),
  chunks: (r) => [
    { is_finished: false, event_type: 'stream-start', generation_id: hash(`g${r.text}`, 32) },
    ...pieces(r.text).map((text) => ({ is_finished: false, event_type: 'text-generation', text })),
    { is_finished: true, event_type: 'stream-end', finish_reason: r.stopReason === 'max_tokens' ? 'MAX_TOKENS' : 'COMPLETE', response: { text: r.text } },
  ],
  finalChunks: 1,
};

/** A family we do not model: an opaque body, so clients (and tracers) must not assume a shape. */
const opaque: ChatFamily = {
  name: 'opaque',
  prompt: (b) => ({ text: JSON.stringify(b), maxTokens: undefined }),
  body: (r) => ({ result: r.text }),
  chunks: (r) => pieces(r.text).map((result) => ({ result })),
  finalChunks: 0,
};

export function chatFamily(modelId: string): ChatFamily {
  if (modelId.includes('anthropic.claude')) return anthropic;
  if (modelId.includes('amazon.nova')) return nova;
  if (modelId.includes('meta.llama')) return llama;
  if (modelId.includes('mistral.')) return mistral;
  if (modelId.includes('cohere.command')) return cohere;
  return opaque;
}
