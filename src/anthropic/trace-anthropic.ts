import type { GenAITracingOptions } from '../genai/options.js';
import { modelSettings } from '../genai/model-call.js';
import { instrumentClient, type MethodSpec } from '../stainless/client.js';
import type { StainlessHooks } from '../stainless/hooks.js';
import { anthropicAdapter, type AnthropicOperation } from './adapter.js';
import { ATTR_LLM_ANTHROPIC_REQUEST_ID, PROVIDER_ANTHROPIC, PROVIDER_AWS_BEDROCK } from './semconv.js';

export type AnthropicTracingOptions = GenAITracingOptions;

/**
 * Traces an `@anthropic-ai/sdk` client (0.3x to 1.x) or an `AnthropicBedrock` client: every `messages.create`
 * and `beta.messages.create` call, plain or streamed, and the helpers built on them (`messages.stream()`,
 * `parse()`, the tool runner) becomes a GenAI `chat` CLIENT span, and every HTTP attempt a child span.
 * `countTokens` is passed through: the conventions define no operation for it, so it gets its attempt span only.
 * Returns the same client, whose API (`withResponse()`, `asResponse()`, `_request_id`, streams' `tee()` and
 * `controller`, `MessageStream`) is untouched; `withOptions()` clones are traced alike. Safe to call twice.
 *
 * From 0.134 the SDK makes a span of its own per call when a tracer provider is registered: on a traced client
 * that span is turned off (the client's tracer, which its `openTelemetry: false` option also clears), so each call
 * yields one GenAI span, ours, which carries what the SDK's does plus attempts, cost and stream outcome.
 */
export function traceAnthropic<T extends object>(client: T, options: AnthropicTracingOptions = {}): T {
  const hooks: StainlessHooks<AnthropicOperation> = {
    settings: modelSettings(anthropicAdapter(providerOf(client)), options),
    requestId: { header: 'request-id', attribute: ATTR_LLM_ANTHROPIC_REQUEST_ID },
    pathTemplate,
    prepareClient: withoutSdkSpans,
  };
  instrumentClient(client, METHODS, hooks, 'traceAnthropic');
  return client;
}

const METHODS: readonly MethodSpec<AnthropicOperation>[] = [
  [['messages'], 'create', 'messages'],
  [['beta', 'messages'], 'create', 'beta.messages'],
];

/** `AnthropicBedrock` says `aws.bedrock` itself from 1.x on; older ones are known by their AWS region. */
function providerOf(client: object): string {
  const named = (client as { _genAIProviderName?: unknown })._genAIProviderName;
  if (typeof named === 'string' && named.length > 0) return named;
  return 'awsRegion' in client ? PROVIDER_AWS_BEDROCK : PROVIDER_ANTHROPIC;
}

/**
 * The SDK settles its `openTelemetry` option once, at construction, into `_tracer`, and reads nothing else: no
 * tracer, no span of its own (and no `traceparent` of its own; our attempt spans are the HTTP layer). A client of
 * a line without the feature has no such field and is left as it is.
 */
function withoutSdkSpans(client: object): void {
  const c = client as { _tracer?: unknown };
  if ('_tracer' in c && c._tracer !== undefined) c._tracer = undefined;
}

/** Ids in a path (`/v1/messages/batches/msgbatch_…`, Bedrock's `/model/{id}/invoke`) become `{id}`. */
function pathTemplate(pathname: string): string {
  return pathname.replace(/\/(msgbatch|msg|file|toolu)_[A-Za-z0-9_-]+/g, '/{id}').replace(/^\/model\/[^/]+\//, '/model/{id}/');
}
