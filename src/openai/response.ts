import type { ToolCall } from '../genai/content.js';
import type { ResponseSummary } from '../genai/summary.js';
import { num, obj, str, type Obj } from '../util.js';
import { toolCallsOf } from './content.js';
import * as O from './semconv.js';

/**
 * Readers of OpenAI responses and stream events into the provider-neutral summary: Chat Completions (whole and
 * chunked), the Responses API (whole and its events) and embeddings.
 */

function head(s: ResponseSummary, o: Obj): void {
  s.id ??= str(o.id);
  s.model ??= str(o.model);
  const tier = str(o.service_tier);
  if (tier) s.attributes[O.ATTR_OPENAI_RESPONSE_SERVICE_TIER] = tier;
  const fingerprint = str(o.system_fingerprint);
  if (fingerprint) s.attributes[O.ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint;
}

function usage(s: ResponseSummary, value: unknown): void {
  const u = obj(value);
  if (!u) return;
  s.inputTokens = num(u.prompt_tokens) ?? num(u.input_tokens);
  s.outputTokens = num(u.completion_tokens) ?? num(u.output_tokens);
  s.cacheReadTokens = num(obj(u.prompt_tokens_details ?? u.input_tokens_details)?.cached_tokens);
  s.reasoningTokens = num(obj(u.completion_tokens_details ?? u.output_tokens_details)?.reasoning_tokens);
}

export function chatCompletion(s: ResponseSummary, value: unknown): void {
  const o = obj(value);
  if (!o) return;
  head(s, o);
  usage(s, o.usage);
  if (!Array.isArray(o.choices)) return;
  for (const c of o.choices as unknown[]) {
    const raw = obj(c);
    const choice = s.choice(raw?.index);
    choice.finishReason = str(raw?.finish_reason);
    const message = obj(raw?.message);
    if (s.keepText && message) {
      choice.text = str(message.content) ?? str(message.refusal);
      if (Array.isArray(message.tool_calls)) choice.toolCalls = toolCallsOf(message.tool_calls);
    }
  }
}

export function chatChunk(s: ResponseSummary, value: unknown): void {
  const o = obj(value);
  if (!o) return;
  head(s, o);
  if (o.usage) usage(s, o.usage);
  if (!Array.isArray(o.choices)) return;
  for (const c of o.choices as unknown[]) {
    const raw = obj(c);
    const choice = s.choice(raw?.index);
    choice.finishReason = str(raw?.finish_reason) ?? choice.finishReason;
    if (!s.keepText) continue;
    const delta = obj(raw?.delta);
    const text = str(delta?.content) ?? str(delta?.refusal);
    if (text) choice.text = (choice.text ?? '') + text;
    if (Array.isArray(delta?.tool_calls)) mergeToolCallDeltas((choice.toolCalls ??= []), delta.tool_calls);
  }
}

/** Streamed tool calls arrive in pieces, by index: the name and arguments are concatenated. */
function mergeToolCallDeltas(calls: ToolCall[], deltas: unknown[]): void {
  for (const d of deltas) {
    const t = obj(d);
    const i = typeof t?.index === 'number' ? t.index : calls.length;
    const call = (calls[i] ??= { name: '', arguments: '' });
    if (str(t?.id)) call.id = str(t?.id);
    const fn = obj(t?.function);
    if (str(fn?.name)) call.name += str(fn?.name);
    if (str(fn?.arguments)) call.arguments = (call.arguments ?? '') + str(fn?.arguments);
  }
}

/** A Responses API object: status and incomplete reason map onto the finish reasons chat uses. */
export function response(s: ResponseSummary, value: unknown): void {
  const o = obj(value);
  if (!o) return;
  head(s, o);
  usage(s, o.usage);
  const output = Array.isArray(o.output) ? (o.output as unknown[]).map((i) => obj(i)) : [];
  const reason = str(obj(o.incomplete_details)?.reason);
  const choice = s.choice(0);
  if (o.status === 'incomplete') choice.finishReason = reason === 'max_output_tokens' ? 'length' : (reason ?? 'incomplete');
  else if (o.status === 'completed') choice.finishReason = output.some((i) => i?.type === 'function_call') ? 'tool_calls' : 'stop';
  else if (str(o.status)) choice.finishReason = str(o.status);
  if (!s.keepText) return;
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  for (const item of output) {
    if (item?.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content as unknown[]) {
        const text = obj(part)?.text;
        if (typeof text === 'string') texts.push(text);
      }
    } else if (item?.type === 'function_call') {
      calls.push({ ...(str(item.call_id) ? { id: str(item.call_id) } : {}), name: String(item.name ?? ''), arguments: String(item.arguments ?? '') });
    }
  }
  if (texts.length) choice.text = texts.join('');
  if (calls.length) choice.toolCalls = calls;
}

export function responseEvent(s: ResponseSummary, value: unknown): void {
  const o = obj(value);
  const type = str(o?.type);
  if (!o || !type) return;
  if (type === 'response.created' || type === 'response.in_progress') head(s, obj(o.response) ?? {});
  else if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') response(s, o.response);
}

export function embeddings(s: ResponseSummary, value: unknown): void {
  const o = obj(value);
  if (!o) return;
  s.model ??= str(o.model);
  s.inputTokens = num(obj(o.usage)?.prompt_tokens);
  const first = Array.isArray(o.data) ? obj(o.data[0])?.embedding : undefined;
  // The SDK decodes base64 unless the caller asked for it: then it is float32, four bytes a dimension.
  s.dimensions = Array.isArray(first) ? first.length : typeof first === 'string' ? Math.floor((first.length * 3) / 4 / 4) : undefined;
}
