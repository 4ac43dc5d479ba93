import type { Attributes } from '@opentelemetry/api';
import type { InputMessage, ToolDefinition } from './content.js';
import type { ResponseSummary } from './summary.js';

/**
 * What a provider adapter implements: the translation between one provider's requests, responses and stream
 * events and the provider-neutral model span. Everything else (the span's life, one child span per HTTP attempt,
 * stream outcomes and time to first chunk, content capture with redaction and JSON-safe cutting, cost, the
 * truncation event, error recording) is the core's, in `ModelCall`. A new provider is one adapter plus the hook
 * that calls it from its SDK (a patched method, a middleware): see `src/openai/` for the first one.
 *
 * Every method receives untrusted input and may throw: the core calls each through `safely`, so a throwing
 * adapter costs an attribute, never the caller's call.
 */
export interface ModelAdapter<Operation extends string = string> {
  /** The span name and request attributes of one call: only parameters, never content. */
  request(operation: Operation, params: Record<string, unknown>, server: Attributes): ModelRequest;
  /** The request's messages in neutral terms; called only with content capture on. */
  input?(operation: Operation, params: Record<string, unknown>): ModelInput | undefined;
  /** A whole (non-streamed) response: ids, model, usage, finish reasons, and text when `summary.keepText`. */
  response(summary: ResponseSummary, operation: Operation, value: unknown): void;
  /** One stream event, as the caller receives it. */
  chunk(summary: ResponseSummary, operation: Operation, event: unknown): void;
  /** A low-cardinality `error.type`, from status, codes and messages: never a class name, which minifiers rename. */
  errorType(error: unknown): string;
}

export interface ModelRequest {
  name: string;
  attributes: Attributes;
  /** The requested model, for the price lookup when the response names none. */
  model: string | undefined;
  streaming: boolean;
}

export interface ModelInput {
  /** The conversation: `gen_ai.input.messages`. */
  history: InputMessage[];
  /** Instructions given apart from the history: `gen_ai.system_instructions`. */
  system?: InputMessage[];
  /** The tools the request offers the model: `gen_ai.tool.definitions`. */
  tools?: ToolDefinition[];
}
