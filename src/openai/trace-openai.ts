import type { GenAITracingOptions } from '../genai/options.js';
import { modelSettings } from '../genai/model-call.js';
import { instrumentClient, type MethodSpec } from '../stainless/client.js';
import type { StainlessHooks } from '../stainless/hooks.js';
import { openAIAdapter } from './adapter.js';
import type { OpenAIOperation } from './request.js';
import { ATTR_LLM_OPENAI_REQUEST_ID } from './semconv.js';
import { withUsageRequested } from './usage.js';

export type OpenAITracingOptions = GenAITracingOptions;

/**
 * Traces an `openai` client (v4 to v7): every `chat.completions.create`, `responses.create` and
 * `embeddings.create` call (and the helpers built on them: `parse`, `stream`, `runTools`) becomes a GenAI CLIENT
 * span, and every HTTP attempt a child span. Returns the same client; the SDK's own API (`withResponse()`,
 * `asResponse()`, streams' `tee()` and `controller`, `_request_id`) is untouched, and `withOptions()` clones are
 * traced alike. Safe to call twice.
 */
export function traceOpenAI<T extends object>(client: T, options: OpenAITracingOptions = {}): T {
  const hooks: StainlessHooks<OpenAIOperation> = {
    settings: modelSettings(openAIAdapter, options),
    requestId: { header: 'x-request-id', attribute: ATTR_LLM_OPENAI_REQUEST_ID },
    pathTemplate,
    prepare: (operation, params) => (operation === 'chat.completions' ? withUsageRequested(params) : { params }),
  };
  instrumentClient(client, METHODS, hooks, 'traceOpenAI');
  return client;
}

const METHODS: readonly MethodSpec<OpenAIOperation>[] = [
  [['chat', 'completions'], 'create', 'chat.completions'],
  [['responses'], 'create', 'responses'],
  [['embeddings'], 'create', 'embeddings'],
];

/** Ids in a path (`/responses/resp_…`) become `{id}` so the template stays low-cardinality. */
function pathTemplate(pathname: string): string {
  return pathname.replace(/\/(resp|chatcmpl|file|batch|msg|run|thread|asst|vs|ft|ftjob)[-_][A-Za-z0-9_-]+/g, '/{id}');
}
