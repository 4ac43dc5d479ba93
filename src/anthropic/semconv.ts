/** Anthropic's values in the GenAI conventions, and ours for its request id. */
export const PROVIDER_ANTHROPIC = 'anthropic';
/** Claude through `AnthropicBedrock`: the platform that serves the request. */
export const PROVIDER_AWS_BEDROCK = 'aws.bedrock';

/** Ours: the request id Anthropic returns in `request-id` (the SDK's `_request_id`), on model and attempt spans. */
export const ATTR_LLM_ANTHROPIC_REQUEST_ID = 'llm.anthropic.request_id';

/**
 * `stop_reason` onto the finish reasons of the conventions' output messages (`stop`, `length`, `content_filter`,
 * `tool_call`), which the conventions use across providers; a reason with no counterpart (`pause_turn`) is kept
 * as Anthropic names it.
 */
export const FINISH_REASONS: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_call',
  refusal: 'content_filter',
};
