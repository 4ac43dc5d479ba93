import { diag } from '@opentelemetry/api';
import { modelSettings } from '../genai/model-call.js';
import type { GenAITracingOptions } from '../genai/options.js';
import { bedrockAdapter } from './adapter.js';
import { install } from './middleware.js';
import { isClient } from './sdk.js';

export type BedrockTracingOptions = GenAITracingOptions;

/**
 * Traces an AWS SDK v3 `BedrockRuntimeClient` (or the aggregated `BedrockRuntime`) through its middleware stack:
 * every Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream call becomes a GenAI CLIENT span
 * and every HTTP attempt (the SDK's retries included) a child span; other commands pass through untraced.
 * Returns the same client; safe to call twice (the second call replaces the middlewares, it adds none).
 */
export function traceBedrock<T extends object>(client: T, options: BedrockTracingOptions = {}): T {
  try {
    if (isClient(client)) install(client, modelSettings(bedrockAdapter, options));
    else diag.warn('lambda-llm-tracing: traceBedrock expects a BedrockRuntimeClient; this value has no middleware stack');
  } catch (error) {
    diag.warn('lambda-llm-tracing: traceBedrock could not instrument this client', error);
  }
  return client;
}
