import type { ContentRedactor } from './content.js';
import type { PriceTable } from './cost.js';

/** The options every model instrumentation (`traceOpenAI`, and the providers after it) takes. */
export interface GenAITracingOptions {
  /** Record prompt and completion text. Default off, or `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`. */
  captureContent?: boolean;
  /** Longest text recorded per message part; default 2048, or `LLM_TRACING_CONTENT_MAX_CHARS`. */
  contentMaxChars?: number;
  /** Rewrites (or, returning undefined, drops) each text before it is recorded. */
  redactContent?: ContentRedactor;
  /** USD per million tokens, per model name; adds `llm.usage.cost_usd`. Nothing is computed without it. */
  prices?: PriceTable;
}
