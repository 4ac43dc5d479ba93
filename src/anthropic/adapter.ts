import type { ModelAdapter } from '../genai/adapter.js';
import { anthropicInput } from './content.js';
import { anthropicErrorType } from './errors.js';
import { requestAttributes } from './request.js';
import { message, messageEvent } from './response.js';

/** The Messages API, through `messages` or `beta.messages`: the same span either way. */
export type AnthropicOperation = 'messages' | 'beta.messages';

/** Anthropic's translation to the provider-neutral model span; `provider` is `anthropic` or `aws.bedrock`. */
export function anthropicAdapter(provider: string): ModelAdapter<AnthropicOperation> {
  return {
    request: (_operation, params, server) => requestAttributes(params, server, provider),
    input: (_operation, params) => anthropicInput(params),
    response: (summary, _operation, value) => message(summary, value),
    chunk: (summary, _operation, event) => messageEvent(summary, event),
    errorType: anthropicErrorType,
  };
}
