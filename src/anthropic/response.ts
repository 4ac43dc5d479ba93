import type { ToolCall } from '../genai/content.js';
import type { ResponseSummary } from '../genai/summary.js';
import { num, obj, own, str, type Obj } from '../util.js';
import { FINISH_REASONS } from './semconv.js';

/**
 * Readers of Anthropic Messages, whole and as stream events, into the provider-neutral summary. Usage follows the
 * Anthropic conventions: `input_tokens` there leaves out the cached tokens, so the span's input count adds the
 * cache reads and writes to it.
 */

function usage(s: ResponseSummary, value: unknown): void {
  const u = obj(value);
  if (!u) return;
  s.cacheReadTokens = num(u.cache_read_input_tokens) ?? s.cacheReadTokens;
  s.cacheCreationTokens = num(u.cache_creation_input_tokens) ?? s.cacheCreationTokens;
  const input = num(u.input_tokens);
  if (input !== undefined) s.inputTokens = input + (s.cacheReadTokens ?? 0) + (s.cacheCreationTokens ?? 0);
  s.outputTokens = num(u.output_tokens) ?? s.outputTokens;
}

function stopReason(s: ResponseSummary, value: unknown): void {
  const reason = str(value);
  if (reason) s.choice(0).finishReason = own(FINISH_REASONS, reason) ?? reason;
}

const toolCallOf = (block: Obj): ToolCall => ({
  ...(str(block.id) ? { id: str(block.id) } : {}),
  name: String(block.name ?? ''),
  arguments: JSON.stringify(block.input ?? {}),
});

export function message(s: ResponseSummary, value: unknown): void {
  const o = obj(value);
  if (!o) return;
  s.id ??= str(o.id);
  s.model ??= str(o.model);
  usage(s, o.usage);
  stopReason(s, o.stop_reason);
  if (!s.keepText || !Array.isArray(o.content)) return;
  const choice = s.choice(0);
  for (const b of o.content as unknown[]) {
    const block = obj(b);
    if (block?.type === 'text' && typeof block.text === 'string') choice.text = (choice.text ?? '') + block.text;
    else if (block?.type === 'tool_use') (choice.toolCalls ??= []).push(toolCallOf(block));
  }
}

/** Streamed tool calls, by content block index: their input arrives as pieces of JSON text. */
const streamedCalls = new WeakMap<ResponseSummary, Map<number, ToolCall>>();

function blockStart(s: ResponseSummary, o: Obj): void {
  const block = obj(o.content_block);
  if (!s.keepText || block?.type !== 'tool_use') return;
  const call: ToolCall = { ...toolCallOf(block), arguments: '' };
  (s.choice(0).toolCalls ??= []).push(call);
  let calls = streamedCalls.get(s);
  if (!calls) streamedCalls.set(s, (calls = new Map()));
  calls.set(num(o.index) ?? -1, call);
}

function blockDelta(s: ResponseSummary, o: Obj): void {
  if (!s.keepText) return;
  const delta = obj(o.delta);
  if (delta?.type === 'text_delta' && typeof delta.text === 'string') {
    const choice = s.choice(0);
    choice.text = (choice.text ?? '') + delta.text;
  } else if (delta?.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
    const call = streamedCalls.get(s)?.get(num(o.index) ?? -1);
    if (call) call.arguments += delta.partial_json;
  }
}

/** One stream event: `message_start` (ids, model, input usage), blocks, `message_delta` (stop reason, output usage). */
export function messageEvent(s: ResponseSummary, value: unknown): void {
  const o = obj(value);
  if (o?.type === 'message_start') message(s, o.message);
  else if (o?.type === 'content_block_start') blockStart(s, o);
  else if (o?.type === 'content_block_delta') blockDelta(s, o);
  else if (o?.type === 'message_delta') {
    usage(s, o.usage);
    stopReason(s, obj(o.delta)?.stop_reason);
  }
}
