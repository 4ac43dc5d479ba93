import type { ModelAdapter } from '../genai/adapter.js';
import { openAIInput } from './content.js';
import { openAIErrorType } from './errors.js';
import { requestAttributes, type OpenAIOperation } from './request.js';
import { chatChunk, chatCompletion, embeddings, response, responseEvent } from './response.js';

/** OpenAI's translation to the provider-neutral model span: Chat Completions, Responses and embeddings. */
export const openAIAdapter: ModelAdapter<OpenAIOperation> = {
  request(operation, params, server) {
    const { name, attributes } = requestAttributes(operation, params, server);
    return { name, attributes, model: typeof params.model === 'string' ? params.model : undefined, streaming: params.stream === true };
  },
  input(operation, params) {
    return operation === 'embeddings' ? undefined : openAIInput(params, operation === 'responses');
  },
  response(summary, operation, value) {
    if (operation === 'responses') response(summary, value);
    else if (operation === 'embeddings') embeddings(summary, value);
    else chatCompletion(summary, value);
  },
  chunk(summary, operation, event) {
    if (operation === 'responses') responseEvent(summary, event);
    else chatChunk(summary, event);
  },
  errorType: openAIErrorType,
};
