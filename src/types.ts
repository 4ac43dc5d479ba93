import type { Attributes, Context as OtelContext, Link, Span, TextMapPropagator } from '@opentelemetry/api';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';

/** The parts of the Lambda context object we read. Kept structural so no `@types/aws-lambda` is needed. */
export interface LambdaContext {
  awsRequestId: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string | number;
  logStreamName?: string;
  /** Newer runtimes pass the X-Ray header here; per invocation, unlike the process-wide `_X_AMZN_TRACE_ID`. */
  xRayTraceId?: string;
  getRemainingTimeInMillis?: () => number;
  callbackWaitsForEmptyEventLoop?: boolean;
}

export type Callback<R> = (error?: unknown, result?: R) => void;
export type AsyncHandler<E, R, C extends LambdaContext = LambdaContext> = (event: E, context: C) => R | Promise<R>;
export type CallbackHandler<E, R, C extends LambdaContext = LambdaContext> = (event: E, context: C, callback: Callback<R>) => void | Promise<R>;
export type AnyHandler<E, R, C extends LambdaContext = LambdaContext> = AsyncHandler<E, R, C> | CallbackHandler<E, R, C>;
/** What the wrapper returns: two parameters, because the nodejs24.x runtime refuses three-parameter handlers. */
export type TracedHandler<E, R, C extends LambdaContext = LambdaContext> = (event: E, context: C) => Promise<R>;

/** Parent and links for an invocation span, as a custom extractor returns them. */
export interface ExtractedContext {
  parent?: OtelContext;
  links?: Link[];
}

/** Options that configure the tracer provider. They take effect on the first initialisation in a process. */
export interface ProviderOptions {
  /** Overrides `OTEL_SERVICE_NAME`; the default is the function name. */
  serviceName?: string;
  /** Merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Attributes;
  /** Full traces URL; overrides `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  endpoint?: string;
  /** Overrides `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`. */
  headers?: Record<string, string>;
  /** Overrides `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`. */
  protocol?: 'http/protobuf' | 'http/json';
  /** Overrides `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT`: how long one export request may take in the background. */
  exportTimeoutMs?: number;
  /** Overrides `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`. */
  sampler?: Sampler;
  /** Overrides `OTEL_PROPAGATORS`. */
  propagator?: TextMapPropagator;
  /** Replaces the OTLP exporter (still batched and flushed by us). */
  exporter?: SpanExporter;
  /** Extra processors, run after ours. */
  spanProcessors?: SpanProcessor[];
  /** Overrides `OTEL_SDK_DISABLED`. */
  disabled?: boolean;
  /** Shut the provider down on SIGTERM so queued spans are exported (default true). */
  shutdownOnSigterm?: boolean;
}

/** Options of one wrapped handler. */
export interface WrapperOptions {
  /**
   * When spans are exported: `auto` (default; after the response when the `lambda-llm-tracing/extension` module
   * is loaded, before it otherwise), `after-response` or `before-response`. Or `LLM_TRACING_EXPORT_MODE`.
   */
  exportMode?: 'auto' | 'after-response' | 'before-response';
  /** Longest the flush may delay the response, in ms. Default 1000, or `LLM_TRACING_FLUSH_BUDGET_MS`. */
  flushBudgetMs?: number;
  /** Time kept free before the function's deadline, in ms. Default 100, or `LLM_TRACING_DEADLINE_MARGIN_MS`. */
  deadlineMarginMs?: number;
  /**
   * How long before the deadline a still-running invocation's span is ended and flushed, in ms, or false to turn
   * it off. Default 500 (at most a tenth of the time the invocation had), or `LLM_TRACING_TIMEOUT_SALVAGE_MS`.
   */
  timeoutSalvageMs?: number | false;
  /** Finds the parent context and links; wins over the built-in extraction. Returning undefined falls back to it. */
  extractContext?: (event: unknown, context: LambdaContext) => ExtractedContext | undefined;
  /** Called with the invocation span before the handler runs. A throwing hook is logged and ignored. */
  requestHook?: (span: Span, event: unknown, context: LambdaContext) => void;
  /** Called with the invocation span and the outcome before the span ends. A throwing hook is logged and ignored. */
  responseHook?: (span: Span, outcome: { result?: unknown; error?: unknown }) => void;
}

export interface LlmTracingOptions extends ProviderOptions, WrapperOptions {}
