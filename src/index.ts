export { withLlmTracing } from './wrapper.js';
export { traceStep, type StepOptions } from './step.js';
export { traceOpenAI, type OpenAITracingOptions } from './openai.js';
export type { ModelPrice, PriceTable } from './cost.js';
export type { ContentInfo, ContentRedactor } from './genai-content.js';
export { traceRecord, type RecordOptions } from './record.js';
export {
  injectTraceContext,
  withSqsTraceContext,
  withSnsTraceContext,
  withEventBridgeTraceContext,
  type MessageAttributeValue,
} from './inject.js';
export { getTracer } from './provider.js';
export { forceFlush, shutdownTracing } from './lifecycle.js';
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
export type { FlushOutcome } from './flush.js';
export type { StreamingHandler } from './streaming.js';
