import { SpanKind, context, diag, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { PriceTable } from '../genai/cost.js';
import { recordError } from '../telemetry/errors.js';
import { ContentRecorder, contentOptions, type ContentRedactor } from '../genai/content.js';
import { trackOpenSpan } from '../telemetry/open-spans.js';
import { openAIErrorType } from './errors.js';
import { traceFetch, withAttemptCounter, type AttemptCounter, type Fetch } from './fetch.js';
import { requestAttributes, serverAttributes, type OpenAIOperation } from './request.js';
import { ResponseSummary } from './response.js';
import { isSdkStream, wrapStream, type StreamOutcome } from './stream.js';
import { getTracer } from '../telemetry/provider.js';
import { safely } from '../telemetry/safe.js';
import * as G from '../genai/semconv.js';

export interface OpenAITracingOptions {
  /** Record prompt and completion text. Default off, or `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`. */
  captureContent?: boolean;
  /** Longest text recorded per message part; default 2048, or `LLM_TRACING_CONTENT_MAX_CHARS`. */
  contentMaxChars?: number;
  /** Rewrites (or, returning undefined, drops) each text before it is recorded. */
  redactContent?: ContentRedactor;
  /** USD per million tokens, per model name; adds `llm.usage.cost_usd`. Nothing is computed without it. */
  prices?: PriceTable;
}

type Method = (this: unknown, params: unknown, options?: unknown) => unknown;
interface ApiPromiseLike {
  _thenUnwrap(transform: (data: unknown, props: unknown) => unknown): ApiPromiseLike;
  asResponse(): Promise<{ headers?: { get?: (n: string) => string | null } }>;
}
const isApiPromise = (v: unknown): v is ApiPromiseLike =>
  typeof v === 'object' && v !== null && typeof (v as ApiPromiseLike)._thenUnwrap === 'function' && typeof (v as ApiPromiseLike).asResponse === 'function';

const TRACED = Symbol.for('lambda-llm-tracing.openai-traced');

interface Settings {
  content: ContentRecorder;
  prices: PriceTable | undefined;
  server: () => Attributes;
}

/** One model call: its span, what the response said, and how many HTTP attempts it took. Ends exactly once. */
class ModelCall {
  readonly span: Span;
  readonly summary: ResponseSummary;
  readonly attempts: AttemptCounter = { count: 0 };
  private readonly started = performance.now();
  private readonly operation: OpenAIOperation;
  private readonly settings: Settings;
  private readonly requestModel: string | undefined;
  private readonly streaming: boolean;
  private firstChunkAt: number | undefined;
  private chunks = 0;
  private ended = false;
  private untrack: () => void = () => {};
  requestId: string | undefined;

  constructor(operation: OpenAIOperation, params: Record<string, unknown>, settings: Settings) {
    this.operation = operation;
    this.settings = settings;
    this.requestModel = typeof params.model === 'string' ? params.model : undefined;
    this.streaming = params.stream === true;
    const { name, attributes } = requestAttributes(operation, params, settings.server());
    this.span = getTracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
    this.summary = new ResponseSummary(settings.content.enabled);
    if (settings.content.enabled && operation !== 'embeddings') {
      const input =
        operation === 'responses' ? settings.content.responsesInput(params.input, params.instructions) : settings.content.chatInput(params.messages);
      if (input?.input !== undefined) this.span.setAttribute(G.ATTR_GEN_AI_INPUT_MESSAGES, input.input);
      if (input?.system !== undefined) this.span.setAttribute(G.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, input.system);
    }
    // Still open when the invocation ends: for a stream, nobody consumed it.
    this.untrack = trackOpenSpan(() => this.end(this.streaming ? 'abandoned' : undefined));
  }

  /** `delivered` is false for the usage chunk we asked for and hide: the count is what the caller saw. */
  chunk(item: unknown, delivered: boolean): void {
    // Already ended as abandoned by its invocation, and iterated after all: the span is closed to writes.
    if (this.ended) return;
    if (delivered) this.chunks += 1;
    if (this.firstChunkAt === undefined) {
      this.firstChunkAt = performance.now();
      this.span.setAttribute(G.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, (this.firstChunkAt - this.started) / 1000);
    }
    if (this.operation === 'responses') this.summary.responseEvent(item);
    else this.summary.chatChunk(item);
  }

  data(value: unknown): void {
    if (this.operation === 'responses') this.summary.response(value);
    else if (this.operation === 'embeddings') this.summary.embeddings(value);
    else this.summary.chatCompletion(value);
  }

  end(outcome?: StreamOutcome, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.untrack();
    safely(
      'ending an OpenAI span',
      () => {
        const span = this.span;
        this.summary.applyTo(span, this.requestModel, this.settings.content, this.settings.prices);
        if (this.attempts.count > 0) span.setAttribute(G.ATTR_LLM_REQUEST_ATTEMPTS, this.attempts.count);
        if (this.requestId) span.setAttribute(G.ATTR_LLM_OPENAI_REQUEST_ID, this.requestId);
        if (outcome) {
          span.setAttribute(G.ATTR_LLM_STREAM_OUTCOME, outcome);
          span.setAttribute(G.ATTR_LLM_STREAM_CHUNKS, this.chunks);
        }
        if (error !== undefined) recordError(span, error, openAIErrorType(error));
      },
      undefined,
    );
    this.span.end();
  }
}

/** The client's server attributes, parsed again only when its base URL changes: not on every call. */
function serverOf(client: { baseURL?: unknown } | undefined): () => Attributes {
  let url: unknown;
  let attributes: Attributes = {};
  return () => {
    if (client?.baseURL !== url) {
      url = client?.baseURL;
      attributes = serverAttributes(url);
    }
    return attributes;
  };
}

function settingsFor(client: { baseURL?: unknown }, options: OpenAITracingOptions): Settings {
  return {
    content: new ContentRecorder(contentOptions(options.captureContent, options.contentMaxChars, options.redactContent)),
    prices: options.prices,
    server: serverOf(client),
  };
}

type ClientLike = {
  baseURL?: unknown;
  fetch?: unknown;
  withOptions?: unknown;
  chat?: { completions?: unknown };
  responses?: unknown;
  embeddings?: unknown;
};

function instrument(c: ClientLike, settings: Settings): void {
  patch(c.chat?.completions, 'create', 'chat.completions', settings);
  patch(c.responses, 'create', 'responses', settings);
  patch(c.embeddings, 'create', 'embeddings', settings);
  if (typeof c.fetch === 'function' && !(c.fetch as { [TRACED]?: boolean })[TRACED]) {
    const traced = traceFetch(c.fetch as Fetch);
    Object.defineProperty(traced, TRACED, { value: true });
    c.fetch = traced;
  }
  if (typeof c.withOptions === 'function' && !(c.withOptions as { [TRACED]?: boolean })[TRACED]) {
    const original = c.withOptions as (this: unknown, ...args: unknown[]) => unknown;
    // A clone (v5+) has fresh resource objects and inherits only our fetch: trace it as its parent is traced.
    const traced = function tracedWithOptions(this: unknown, ...args: unknown[]): unknown {
      const clone = original.apply(this, args) as ClientLike;
      safely('tracing a withOptions() clone', () => instrument(clone, { ...settings, server: serverOf(clone) }), undefined);
      return clone;
    };
    Object.defineProperty(traced, TRACED, { value: true });
    c.withOptions = traced;
  }
}

const isUsageOnlyChunk = (item: unknown): boolean => {
  const chunk = item as { choices?: unknown; usage?: unknown } | null;
  return !!chunk && Array.isArray(chunk.choices) && chunk.choices.length === 0 && !!chunk.usage;
};

/** With include_usage the API adds `usage: null` to every chunk; a caller who did not ask for usage never sees it. */
const dropNullUsage = (item: unknown): void => {
  const chunk = item as { usage?: unknown } | null;
  if (chunk && typeof chunk === 'object' && chunk.usage === null) delete chunk.usage;
};

/**
 * Chat streams report usage only when asked; we ask on the caller's behalf and then hide the extra usage-only
 * chunk, so what the caller iterates is exactly what they requested.
 */
function withUsageRequested(params: Record<string, unknown>): { params: Record<string, unknown>; injected: boolean } {
  const options = params.stream_options as { include_usage?: unknown } | undefined;
  if (params.stream !== true || options?.include_usage !== undefined) return { params, injected: false };
  return { params: { ...params, stream_options: { ...options, include_usage: true } }, injected: true };
}

function traceMethod(operation: OpenAIOperation, original: Method, settings: Settings): Method {
  return function tracedCreate(this: unknown, params: unknown, requestOptions?: unknown): unknown {
    if (typeof params !== 'object' || params === null) return original.call(this, params, requestOptions);
    const started = safely(
      'starting an OpenAI span',
      () => {
        const request = operation === 'chat.completions' ? withUsageRequested(params as Record<string, unknown>) : { params: params as Record<string, unknown>, injected: false };
        return { call: new ModelCall(operation, params as Record<string, unknown>, settings), ...request };
      },
      undefined,
    );
    if (!started) return original.call(this, params, requestOptions);
    const { call, injected } = started;
    const callContext = trace.setSpan(context.active(), call.span);
    let promise: unknown;
    try {
      promise = context.with(callContext, () => context.with(withAttemptCounter(call.attempts), () => original.call(this, started.params, requestOptions)));
    } catch (error) {
      // The SDK can refuse a call before any request (bad arguments): the span says so, the caller gets the error.
      call.end(undefined, error);
      throw error;
    }
    if (!isApiPromise(promise)) {
      // Not the SDK shape we know: hand it back untouched, with the span ended rather than left open.
      call.end();
      return promise;
    }
    // Failures (HTTP errors after retries, connection errors, timeouts, aborts) reject the response promise;
    // `asResponse()` observes that without reading the body, which the caller's own await will read.
    promise.asResponse().then(
      (response) => {
        call.requestId = response?.headers?.get?.('x-request-id') ?? undefined;
      },
      (error: unknown) => call.end(undefined, error),
    );
    return promise._thenUnwrap((data: unknown) => {
      if (isSdkStream(data)) {
        const hidden = (item: unknown) => injected && isUsageOnlyChunk(item);
        const wrapped = safely(
          'wrapping an OpenAI stream',
          () =>
            wrapStream(data, {
              chunk: (item) =>
                safely(
                  'reading a stream chunk',
                  () => {
                    call.chunk(item, !hidden(item));
                    if (injected) dropNullUsage(item);
                  },
                  undefined,
                ),
              hide: hidden,
              end: (outcome, error) => call.end(outcome, error),
            }),
          undefined,
        );
        if (wrapped) return wrapped.stream;
        call.end();
        return data;
      }
      safely('reading an OpenAI response', () => call.data(data), undefined);
      call.end();
      return data;
    });
  };
}

function patch(target: unknown, key: string, operation: OpenAIOperation, settings: Settings): void {
  const holder = target as Record<string, unknown> | undefined;
  const original = holder?.[key];
  if (typeof original !== 'function' || (original as { [TRACED]?: boolean })[TRACED]) return;
  const traced = traceMethod(operation, original as Method, settings);
  Object.defineProperty(traced, TRACED, { value: true });
  holder![key] = traced;
}

/**
 * Traces an `openai` client (v4 to v7): every `chat.completions.create`, `responses.create` and
 * `embeddings.create` call (and the helpers built on them: `parse`, `stream`, `runTools`) becomes a GenAI CLIENT
 * span, and every HTTP attempt a child span. Returns the same client; the SDK's own API (`withResponse()`,
 * `asResponse()`, streams' `tee()` and `controller`, `_request_id`) is untouched, and `withOptions()` clones are
 * traced alike. Safe to call twice.
 */
export function traceOpenAI<T extends object>(client: T, options: OpenAITracingOptions = {}): T {
  try {
    const c = client as unknown as ClientLike;
    instrument(c, settingsFor(c, options));
  } catch (error) {
    diag.warn('lambda-llm-tracing: traceOpenAI could not instrument this client', error);
  }
  return client;
}
