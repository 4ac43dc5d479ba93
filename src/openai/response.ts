import type { Span } from '@opentelemetry/api';
import { requestCostUsd, type PriceTable } from '../genai/cost.js';
import type { ContentRecorder } from '../genai/content.js';
import * as G from '../genai/semconv.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null ? (v as Obj) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

interface Choice {
  finishReason?: string;
  text?: string;
  toolCalls?: { id?: string; function: { name: string; arguments: string } }[];
}

/** Finish reasons that mean the output was cut short: worth an event, not an error. */
const TRUNCATING = new Set(['length', 'content_filter']);

/**
 * What a response told us, gathered from a whole response object or from stream chunks as they pass, then
 * written to the span once. Text is kept only when content capture is on.
 */
export class ResponseSummary {
  id: string | undefined;
  model: string | undefined;
  serviceTier: string | undefined;
  fingerprint: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cachedTokens: number | undefined;
  reasoningTokens: number | undefined;
  dimensions: number | undefined;
  choices: Choice[] = [];
  private readonly keepText: boolean;

  constructor(keepText: boolean) {
    this.keepText = keepText;
  }

  private head(o: Obj): void {
    this.id ??= str(o.id);
    this.model ??= str(o.model);
    this.serviceTier = str(o.service_tier) ?? this.serviceTier;
    this.fingerprint = str(o.system_fingerprint) ?? this.fingerprint;
  }

  private chatUsage(usage: unknown): void {
    const u = obj(usage);
    if (!u) return;
    this.inputTokens = num(u.prompt_tokens) ?? num(u.input_tokens);
    this.outputTokens = num(u.completion_tokens) ?? num(u.output_tokens);
    this.cachedTokens = num(obj(u.prompt_tokens_details ?? u.input_tokens_details)?.cached_tokens);
    this.reasoningTokens = num(obj(u.completion_tokens_details ?? u.output_tokens_details)?.reasoning_tokens);
  }

  private choice(index: unknown): Choice {
    const i = typeof index === 'number' && index >= 0 && index < 128 ? index : 0;
    return (this.choices[i] ??= {});
  }

  chatCompletion(value: unknown): void {
    const o = obj(value);
    if (!o) return;
    this.head(o);
    this.chatUsage(o.usage);
    if (!Array.isArray(o.choices)) return;
    for (const c of o.choices as Obj[]) {
      const choice = this.choice(c?.index);
      choice.finishReason = str(c?.finish_reason);
      const message = obj(c?.message);
      if (this.keepText && message) {
        choice.text = str(message.content) ?? str(message.refusal);
        if (Array.isArray(message.tool_calls)) choice.toolCalls = message.tool_calls as Choice['toolCalls'];
      }
    }
  }

  chatChunk(value: unknown): void {
    const o = obj(value);
    if (!o) return;
    this.head(o);
    if (o.usage) this.chatUsage(o.usage);
    if (!Array.isArray(o.choices)) return;
    for (const c of o.choices as Obj[]) {
      const choice = this.choice(c?.index);
      choice.finishReason = str(c?.finish_reason) ?? choice.finishReason;
      if (!this.keepText) continue;
      const delta = obj(c?.delta);
      const text = str(delta?.content) ?? str(delta?.refusal);
      if (text) choice.text = (choice.text ?? '') + text;
      if (Array.isArray(delta?.tool_calls)) {
        for (const t of delta.tool_calls as Obj[]) {
          const calls = (choice.toolCalls ??= []);
          const i = typeof t?.index === 'number' ? t.index : calls.length;
          const call = (calls[i] ??= { function: { name: '', arguments: '' } });
          if (str(t?.id)) call.id = str(t.id);
          const fn = obj(t?.function);
          if (str(fn?.name)) call.function.name += str(fn?.name);
          if (str(fn?.arguments)) call.function.arguments += str(fn?.arguments);
        }
      }
    }
  }

  /** A Responses API object: status and incomplete reason map onto the finish reasons chat uses. */
  response(value: unknown): void {
    const o = obj(value);
    if (!o) return;
    this.head(o);
    this.chatUsage(o.usage);
    const output = Array.isArray(o.output) ? (o.output as Obj[]) : [];
    const reason = str(obj(o.incomplete_details)?.reason);
    const choice = this.choice(0);
    if (o.status === 'incomplete') choice.finishReason = reason === 'max_output_tokens' ? 'length' : (reason ?? 'incomplete');
    else if (o.status === 'completed') choice.finishReason = output.some((i) => i?.type === 'function_call') ? 'tool_calls' : 'stop';
    else if (str(o.status)) choice.finishReason = str(o.status);
    if (!this.keepText) return;
    const texts: string[] = [];
    const calls: NonNullable<Choice['toolCalls']> = [];
    for (const item of output) {
      if (item?.type === 'message' && Array.isArray(item.content)) {
        for (const part of item.content as Obj[]) if (typeof part?.text === 'string') texts.push(part.text);
      } else if (item?.type === 'function_call') {
        calls.push({ ...(str(item.call_id) ? { id: str(item.call_id) } : {}), function: { name: String(item.name ?? ''), arguments: String(item.arguments ?? '') } });
      }
    }
    if (texts.length) choice.text = texts.join('');
    if (calls.length) choice.toolCalls = calls;
  }

  responseEvent(value: unknown): void {
    const o = obj(value);
    const type = str(o?.type);
    if (!o || !type) return;
    if (type === 'response.created' || type === 'response.in_progress') this.head(obj(o.response) ?? {});
    else if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') this.response(o.response);
  }

  embeddings(value: unknown): void {
    const o = obj(value);
    if (!o) return;
    this.model ??= str(o.model);
    this.inputTokens = num(obj(o.usage)?.prompt_tokens);
    const first = Array.isArray(o.data) ? obj(o.data[0])?.embedding : undefined;
    // The SDK decodes base64 unless the caller asked for it: then it is float32, four bytes a dimension.
    this.dimensions = Array.isArray(first) ? first.length : typeof first === 'string' ? Math.floor((first.length * 3) / 4 / 4) : undefined;
  }

  get finishReasons(): string[] {
    return this.choices.map((c) => c?.finishReason).filter((r): r is string => r !== undefined);
  }

  /** Writes what was gathered onto the span; adds the truncation event when the output was cut short. */
  applyTo(span: Span, requestModel: string | undefined, content: ContentRecorder, prices: PriceTable | undefined): void {
    const set = (key: string, value: string | number | string[] | undefined): void => {
      if (value !== undefined) span.setAttribute(key, value);
    };
    set(G.ATTR_GEN_AI_RESPONSE_ID, this.id);
    set(G.ATTR_GEN_AI_RESPONSE_MODEL, this.model);
    set(G.ATTR_OPENAI_RESPONSE_SERVICE_TIER, this.serviceTier);
    set(G.ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT, this.fingerprint);
    set(G.ATTR_GEN_AI_USAGE_INPUT_TOKENS, this.inputTokens);
    set(G.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, this.outputTokens);
    set(G.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, this.cachedTokens);
    set(G.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, this.reasoningTokens);
    set(G.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, this.dimensions);
    const reasons = this.finishReasons;
    if (reasons.length) set(G.ATTR_GEN_AI_RESPONSE_FINISH_REASONS, reasons);
    const truncated = reasons.filter((r) => TRUNCATING.has(r));
    if (truncated.length) span.addEvent(G.EVENT_LLM_RESPONSE_TRUNCATED, { [G.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: truncated });
    set(
      G.ATTR_LLM_USAGE_COST_USD,
      requestCostUsd(prices, [this.model, requestModel], { input: this.inputTokens, output: this.outputTokens, cachedInput: this.cachedTokens }),
    );
    if (content.enabled && this.choices.some((c) => c && (c.text !== undefined || c.toolCalls))) {
      set(G.ATTR_GEN_AI_OUTPUT_MESSAGES, content.output(this.choices.map((c) => ({ text: c?.text, toolCalls: c?.toolCalls, finishReason: c?.finishReason }))));
    }
  }
}
