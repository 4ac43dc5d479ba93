import { SpanStatusCode, trace, type Attributes, type Context as OtelContext, type Span } from '@opentelemetry/api';
import { env } from '../telemetry/config.js';
import { recordError } from '../telemetry/errors.js';
import { withOpenSpanSet } from '../telemetry/open-spans.js';
import { getPropagator, getTracer, propagatorFields } from '../telemetry/provider.js';
import { safely } from '../telemetry/safe.js';
import * as S from '../telemetry/semconv.js';
import { state } from '../telemetry/state.js';
import type { LambdaContext, WrapperOptions } from '../types.js';
import type { ExportMode } from './export-mode.js';
import { extractInvocationParent } from './extract.js';
import { describeEvent, type EventDescription } from './triggers/describe.js';

/**
 * One invocation's span and the context its handler runs in. It starts, records the HTTP status, and ends or is
 * salvaged exactly once, whichever comes first. Per call, never module state: invocations overlap.
 */
export class Invocation {
  readonly span: Span;
  readonly context: OtelContext;
  /** Ends spans of this invocation that would otherwise never end (an unconsumed stream, say). */
  readonly finishOpenSpans: () => void;
  private readonly description: EventDescription;
  private readonly options: WrapperOptions;
  private ended = false;
  /** The HTTP status a streaming response announced in its prelude, when it did. */
  private status: number | undefined;

  static start(event: unknown, lambdaContext: LambdaContext, options: WrapperOptions, mode: ExportMode): Invocation {
    return new Invocation(event, lambdaContext, options, mode);
  }

  private constructor(event: unknown, lambdaContext: LambdaContext, options: WrapperOptions, mode: ExportMode) {
    this.options = options;
    const fnName = (typeof lambdaContext?.functionName === 'string' && lambdaContext.functionName) || env('AWS_LAMBDA_FUNCTION_NAME') || 'handler';
    this.description = safely('reading the event', () => describeEvent(event, propagatorFields(), fnName)) ?? describeEvent(undefined, [], fnName);
    const custom = options.extractContext ? safely('the extractContext option', () => options.extractContext!(event, lambdaContext)) : undefined;
    const { parent, links } = extractInvocationParent(this.description, getPropagator(), custom ?? undefined, lambdaContext);
    const attributes = { ...this.description.attributes, ...invocationAttributes(lambdaContext, mode) };
    this.span = getTracer().startSpan(this.description.name, { kind: this.description.kind, attributes, links }, parent);
    if (options.requestHook) safely('the requestHook option', () => options.requestHook!(this.span, event, lambdaContext));
    const { context, finishOpenSpans } = withOpenSpanSet(trace.setSpan(parent, this.span));
    this.context = context;
    this.finishOpenSpans = finishOpenSpans;
  }

  /** The response's HTTP status on the span; a server span is an error only for 5xx (a 4xx is the client's). */
  recordHttpStatus(status: number): void {
    this.status = status;
    this.span.setAttribute(S.ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 500) {
      this.span.setAttribute(S.ATTR_ERROR_TYPE, String(status));
      this.span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  /** A response stream that failed while the handler itself resolved: recorded, the outcome left as it was. */
  recordStreamFailure(error: unknown): void {
    recordError(this.span, error);
  }

  end(outcome: { result?: unknown; error?: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    const { span, description } = this;
    if ('error' in outcome) {
      recordError(span, outcome.error);
    } else if (description.attributes[S.ATTR_FAAS_TRIGGER] === S.FAAS_TRIGGER_HTTP && !description.authorizer && this.status === undefined) {
      const status = statusCodeOf(outcome.result, description.inferStatus200);
      if (status !== undefined) this.recordHttpStatus(status);
    }
    if (this.options.responseHook) safely('the responseHook option', () => this.options.responseHook!(span, outcome));
    span.end();
  }

  /** Ends a still-running invocation's span as timed out; the handler itself runs on, untouched. */
  salvage(): void {
    if (this.ended) return;
    this.ended = true;
    this.span.setAttribute(S.ATTR_ERROR_TYPE, 'timeout');
    this.span.setAttribute(S.ATTR_LLM_TIMEOUT_SALVAGED, true);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: 'Lambda invocation about to time out' });
    this.span.end();
  }
}

function invocationAttributes(lambdaContext: LambdaContext, mode: ExportMode): Attributes {
  const attributes: Attributes = { [S.ATTR_FAAS_COLDSTART]: coldStart(), [S.ATTR_LLM_EXPORT_MODE]: mode };
  const requestId = lambdaContext?.awsRequestId;
  if (typeof requestId === 'string') {
    attributes[S.ATTR_FAAS_INVOCATION_ID] = requestId;
    attributes[S.ATTR_FAAS_INVOCATION_ID_LEGACY] = requestId;
  }
  const arn = lambdaContext?.invokedFunctionArn;
  if (typeof arn === 'string' && arn.startsWith('arn:')) {
    attributes[S.ATTR_CLOUD_RESOURCE_ID] = arn;
    const account = arn.split(':')[4];
    if (account) attributes[S.ATTR_CLOUD_ACCOUNT_ID] = account;
  }
  return attributes;
}

function coldStart(): boolean {
  const s = state();
  if (s.invoked) return false;
  s.invoked = true;
  // Provisioned concurrency and SnapStart initialise ahead of the request, so no invocation of theirs is cold.
  const initType = env('AWS_LAMBDA_INITIALIZATION_TYPE');
  return initType === undefined || initType === 'on-demand';
}

function statusCodeOf(result: unknown, inferStatus200: boolean | undefined): number | undefined {
  const code = typeof result === 'object' && result !== null ? (result as { statusCode?: unknown }).statusCode : undefined;
  if (typeof code === 'number' && Number.isInteger(code)) return code;
  if (typeof code === 'string' && /^\d{3}$/.test(code)) return Number(code);
  // HTTP API and Function URLs answer 200 to a result that is not a response object.
  return inferStatus200 && code === undefined ? 200 : undefined;
}
