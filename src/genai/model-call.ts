import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Context as OtelContext, type Span } from '@opentelemetry/api';
import { errorTypeOf, recordError, rememberErrorType } from '../telemetry/errors.js';
import { trackOpenSpan } from '../telemetry/open-spans.js';
import { getTracer } from '../telemetry/provider.js';
import { safely } from '../telemetry/safe.js';
import { ATTR_ERROR_TYPE } from '../telemetry/semconv.js';
import type { ModelAdapter } from './adapter.js';
import { withAttemptCounter, type AttemptCounter } from './attempt.js';
import { ContentRecorder, contentOptions } from './content.js';
import type { PriceTable } from './cost.js';
import type { GenAITracingOptions } from './options.js';
import * as G from './semconv.js';
import type { StreamOutcome } from './stream.js';
import { ResponseSummary } from './summary.js';

/** What one traced client holds: its adapter, content settings and price table. */
export interface ModelSettings<Operation extends string = string> {
  adapter: ModelAdapter<Operation>;
  content: ContentRecorder;
  prices: PriceTable | undefined;
}

export function modelSettings<Operation extends string>(adapter: ModelAdapter<Operation>, options: GenAITracingOptions): ModelSettings<Operation> {
  return {
    adapter,
    content: new ContentRecorder(contentOptions(options.captureContent, options.contentMaxChars, options.redactContent)),
    prices: options.prices,
  };
}

/**
 * One model call: its CLIENT span, started before the request and ended exactly once on every path (response,
 * error, stream end, or the invocation's end for a stream nobody consumed), what the response said, and how many
 * HTTP attempts it took.
 */
export class ModelCall<Operation extends string = string> {
  readonly span: Span;
  readonly summary: ResponseSummary;
  readonly attempts: AttemptCounter = { count: 0 };
  /** The context the SDK call runs in: attempts nest under the span and are counted. */
  readonly context: OtelContext;
  /** Attributes learnt along the way (a request id from the response headers), written when the span ends. */
  readonly late: Attributes = {};
  private readonly started = performance.now();
  private readonly operation: Operation;
  private readonly settings: ModelSettings<Operation>;
  private readonly requestModel: string | undefined;
  private readonly streaming: boolean;
  private firstChunkAt: number | undefined;
  private chunks = 0;
  private ended = false;
  private readonly untrack: () => void;

  constructor(operation: Operation, params: Record<string, unknown>, settings: ModelSettings<Operation>, server: Attributes) {
    this.operation = operation;
    this.settings = settings;
    const { name, attributes, model, streaming } = settings.adapter.request(operation, params, server);
    this.requestModel = model;
    this.streaming = streaming;
    this.span = getTracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
    this.summary = new ResponseSummary(settings.content.enabled);
    this.context = withAttemptCounter(trace.setSpan(context.active(), this.span), this.attempts);
    if (settings.content.enabled) safely('recording the request content', () => this.recordInput(params));
    // Still open when the invocation ends: for a stream, nobody consumed it.
    this.untrack = trackOpenSpan(() => this.end(this.streaming ? 'abandoned' : undefined));
  }

  private recordInput(params: Record<string, unknown>): void {
    const input = this.settings.adapter.input?.(this.operation, params);
    if (!input) return;
    const messages = this.settings.content.input(input.history);
    if (messages !== undefined) this.span.setAttribute(G.ATTR_GEN_AI_INPUT_MESSAGES, messages);
    const system = input.system ? this.settings.content.system(input.system) : undefined;
    if (system !== undefined) this.span.setAttribute(G.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, system);
    const tools = input.tools ? this.settings.content.tools(input.tools) : undefined;
    if (tools !== undefined) this.span.setAttribute(G.ATTR_GEN_AI_TOOL_DEFINITIONS, tools);
  }

  /** One stream event; `delivered` is false for an event hidden from the caller, which is read but not counted. */
  chunk(event: unknown, delivered = true): void {
    // Already ended as abandoned by its invocation, and iterated after all: the span is closed to writes.
    if (this.ended) return;
    if (delivered) this.chunks += 1;
    if (this.firstChunkAt === undefined) {
      this.firstChunkAt = performance.now();
      this.span.setAttribute(G.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, (this.firstChunkAt - this.started) / 1000);
    }
    safely('reading a stream event', () => this.settings.adapter.chunk(this.summary, this.operation, event));
  }

  /** A whole response. */
  response(value: unknown): void {
    if (this.ended) return;
    safely('reading a model response', () => this.settings.adapter.response(this.summary, this.operation, value));
  }

  /** The adapter's vocabulary, remembered so the handler's and steps' spans say the same; the generic type else. */
  private errorType(error: unknown): string {
    const type = this.settings.adapter.errorType(error);
    if (type === '_OTHER') return errorTypeOf(error);
    rememberErrorType(error, type);
    return type;
  }

  end(outcome?: StreamOutcome, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.untrack();
    safely('ending a model span', () => {
      const { span, settings } = this;
      if (outcome === 'error') this.summary.interrupted();
      this.summary.applyTo(span, this.requestModel, settings.content, settings.prices);
      if (this.attempts.count > 0) span.setAttribute(G.ATTR_LLM_REQUEST_ATTEMPTS, this.attempts.count);
      span.setAttributes(this.late);
      if (outcome) {
        span.setAttribute(G.ATTR_LLM_STREAM_OUTCOME, outcome);
        span.setAttribute(G.ATTR_LLM_STREAM_CHUNKS, this.chunks);
      }
      if (error !== undefined) recordError(span, error, this.errorType(error));
      // A stream that ended without its final event (see observeStream's `complete`): nothing was thrown.
      else if (outcome === 'error') {
        span.setAttribute(ATTR_ERROR_TYPE, 'stream_truncated');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the stream ended without its final event' });
      }
    });
    this.span.end();
  }
}
