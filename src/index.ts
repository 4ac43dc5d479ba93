export { withLlmTracing } from './lambda/wrapper.js';
export { traceStep, type StepOptions } from './telemetry/step.js';
export { traceOpenAI, type OpenAITracingOptions } from './openai/trace-openai.js';
export type { ModelPrice, PriceTable } from './genai/cost.js';
export type { ContentInfo, ContentRedactor } from './genai/content.js';
export { traceRecord, type RecordOptions } from './lambda/record.js';
export {
  injectTraceContext,
  withSqsTraceContext,
  withSnsTraceContext,
  withEventBridgeTraceContext,
  type MessageAttributeValue,
} from './lambda/inject.js';
export { getTracer } from './telemetry/provider.js';
export { forceFlush, shutdownTracing } from './telemetry/lifecycle.js';
export type {
  AnyHandler,
  AsyncHandler,
  Callback,
  CallbackHandler,
  ExtractedContext,
  LambdaContext,
  LlmTracingOptions,
  ProviderOptions,
  TracedHandler,
  WrapperOptions,
} from './types.js';
export type { FlushOutcome } from './telemetry/flush.js';
export type { StreamingHandler } from './lambda/response-stream.js';
