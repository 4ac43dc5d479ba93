import type { Attributes, Span } from '@opentelemetry/api';
import type { ContentRecorder, OutputChoice } from './content.js';
import { requestCostUsd, type PriceTable } from './cost.js';
import * as G from './semconv.js';

/** Finish reasons that mean the output was cut short: worth an event, not an error. */
const TRUNCATING = new Set(['length', 'content_filter', 'max_tokens', 'MAX_TOKENS', 'content_filtered']);

/**
 * What a response told us, in provider-neutral terms: an adapter fills it from a whole response or from stream
 * events as they pass, and the model call writes it to the span once, when it ends. Token counts follow the
 * conventions: `inputTokens` includes cached ones (an adapter whose provider reports them apart adds them up).
 * Text is kept only when content capture is on.
 */
export class ResponseSummary {
  id: string | undefined;
  model: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cacheReadTokens: number | undefined;
  cacheCreationTokens: number | undefined;
  reasoningTokens: number | undefined;
  dimensions: number | undefined;
  /** One per choice (OpenAI's `n`); most providers have one. */
  choices: OutputChoice[] = [];
  /** Provider attributes learnt from the response (`openai.response.service_tier`, say). */
  readonly attributes: Attributes = {};
  /** Span events learnt from the response (a guardrail's result, say), added when the span ends. */
  readonly events: { name: string; attributes: Attributes }[] = [];
  readonly keepText: boolean;

  constructor(keepText: boolean) {
    this.keepText = keepText;
  }

  /** The choice at `index`, created on first use; a hostile index falls back to the first. */
  choice(index: unknown = 0): OutputChoice {
    const i = typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < 128 ? index : 0;
    return (this.choices[i] ??= {});
  }

  /**
   * A generation whose stream ended by error: a choice that never said why it stopped gets `error`, as the
   * conventions ask, and so does the call when no choice began.
   */
  interrupted(): void {
    if (!this.choices.length) this.choice(0);
    for (let i = 0; i < this.choices.length; i++) {
      const choice = (this.choices[i] ??= {});
      choice.finishReason ??= G.FINISH_ERROR;
    }
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
    span.setAttributes(this.attributes);
    set(G.ATTR_GEN_AI_USAGE_INPUT_TOKENS, this.inputTokens);
    set(G.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, this.outputTokens);
    set(G.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, this.cacheReadTokens);
    set(G.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, this.cacheCreationTokens);
    set(G.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, this.reasoningTokens);
    set(G.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, this.dimensions);
    const reasons = this.finishReasons;
    if (reasons.length) set(G.ATTR_GEN_AI_RESPONSE_FINISH_REASONS, reasons);
    const truncated = reasons.filter((r) => TRUNCATING.has(r));
    for (const event of this.events) span.addEvent(event.name, event.attributes);
    if (truncated.length) span.addEvent(G.EVENT_LLM_RESPONSE_TRUNCATED, { [G.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: truncated });
    const usage = { input: this.inputTokens, output: this.outputTokens, cachedInput: this.cacheReadTokens, cacheWriteInput: this.cacheCreationTokens };
    set(G.ATTR_LLM_USAGE_COST_USD, requestCostUsd(prices, [this.model, requestModel], usage));
    if (content.enabled && this.choices.some((c) => c && (c.text !== undefined || c.toolCalls))) {
      set(G.ATTR_GEN_AI_OUTPUT_MESSAGES, content.output(this.choices.map((c) => c ?? {})));
    }
  }
}
