import type { ToolCall } from '../genai/content.js';
import type { ResponseSummary } from '../genai/summary.js';
import * as G from '../genai/semconv.js';
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
    choice.finishReason = finishReason(raw?.finish_reason);
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
    choice.finishReason = finishReason(raw?.finish_reason) ?? choice.finishReason;
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

/** Chat's finish reason in the conventions' spelling: `tool_calls` (and the older `function_call`) is `tool_call`. */
function finishReason(value: unknown): string | undefined {
  const reason = str(value);
  return reason === 'tool_calls' || reason === 'function_call' ? G.FINISH_TOOL_CALL : reason;
}

/**
 * Output items that hand control back for a tool: `function_call`, `custom_tool_call`, `computer_call`,
 * `local_shell_call`, `mcp_call`, the other `*_call` types, and an MCP approval request. `*_call_output` items are
 * inputs, never output.
 */
function isToolCallItem(type: unknown): boolean {
  return typeof type === 'string' && (type.endsWith('_call') || type === 'mcp_approval_request');
}

/** A Responses status (or the one its event implies) as the finish reason chat would give. */
function responsesFinishReason(o: Obj, output: (Obj | undefined)[], implied: string | undefined): string | undefined {
  const status = str(o.status) ?? implied;
  if (status === 'incomplete') {
    const reason = str(obj(o.incomplete_details)?.reason);
    return reason === 'max_output_tokens' ? G.FINISH_LENGTH : (reason ?? 'incomplete');
  }
  if (status === 'completed') return output.some((i) => isToolCallItem(i?.type)) ? G.FINISH_TOOL_CALL : G.FINISH_STOP;
  if (status === 'failed') return G.FINISH_ERROR;
  return status;
}

/** A Responses API object: status and incomplete reason map onto the finish reasons chat uses. */
export function response(s: ResponseSummary, value: unknown, implied?: string): void {
  const o = obj(value);
  if (!o) return;
  head(s, o);
  usage(s, o.usage);
  const output = Array.isArray(o.output) ? (o.output as unknown[]).map((i) => obj(i)) : [];
  const choice = s.choice(0);
  const reason = responsesFinishReason(o, output, implied);
  if (reason) choice.finishReason = reason;
  if (!s.keepText) return;
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  for (const item of output) {
    if (item?.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content as unknown[]) {
        const text = obj(part)?.text;
        if (typeof text === 'string') texts.push(text);
      }
    } else if (item?.type === 'function_call' || item?.type === 'custom_tool_call') {
      const args = item.type === 'function_call' ? item.arguments : item.input;
      calls.push({ ...(str(item.call_id) ? { id: str(item.call_id) } : {}), name: String(item.name ?? ''), arguments: String(args ?? '') });
    }
  }
  if (texts.length) choice.text = texts.join('');
  if (calls.length) choice.toolCalls = calls;
}

/** The status each final event implies, for a response object that carries none. */
const IMPLIED_STATUS: Record<string, string> = {
  'response.completed': 'completed',
  'response.incomplete': 'incomplete',
  'response.failed': 'failed',
};

export function responseEvent(s: ResponseSummary, value: unknown): void {
  const o = obj(value);
  const type = str(o?.type);
  if (!o || !type) return;
  if (type === 'response.created' || type === 'response.in_progress') head(s, obj(o.response) ?? {});
  else if (Object.hasOwn(IMPLIED_STATUS, type)) response(s, o.response, IMPLIED_STATUS[type]);
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
