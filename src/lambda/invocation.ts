import { SpanStatusCode, trace, type Attributes, type Context as OtelContext, type Span } from '@opentelemetry/api';
import { env } from '../telemetry/config.js';
import { extractInvocationParent } from './extract.js';
import { getPropagator, getTracer, propagatorFields } from '../telemetry/provider.js';
import { recordError } from '../telemetry/errors.js';
import { withOpenSpanSet } from '../telemetry/open-spans.js';
import type { ExportMode } from './export-mode.js';
import { safely } from '../telemetry/safe.js';
import * as S from '../telemetry/semconv.js';
import { state } from '../telemetry/state.js';
import { describeEvent, type EventDescription } from './triggers/describe.js';
import type { LambdaContext, WrapperOptions } from '../types.js';

/** One invocation's span and the context its handler runs in. Per call, never module state: invocations overlap. */
export interface Invocation {
  span: Span;
  context: OtelContext;
  description: EventDescription;
  ended: boolean;
  /** Ends spans of this invocation that would otherwise never end (an unconsumed stream, say). */
  finishOpenSpans: () => void;
  /** The HTTP status a streaming response announced in its prelude, when it did. */
  status?: number;
}

function coldStart(): boolean {
  const s = state();
  if (s.invoked) return false;
  s.invoked = true;
  // Provisioned concurrency and SnapStart initialise ahead of the request, so no invocation of theirs is cold.
  const initType = env('AWS_LAMBDA_INITIALIZATION_TYPE');
  return initType === undefined || initType === 'on-demand';
}

export function startInvocation(event: unknown, lambdaContext: LambdaContext, options: WrapperOptions, mode: ExportMode): Invocation {
  const cold = coldStart();
  const propagator = getPropagator();
  const fnName = (typeof lambdaContext?.functionName === 'string' && lambdaContext.functionName) || env('AWS_LAMBDA_FUNCTION_NAME') || 'handler';
  const description =
    safely('reading the event', () => describeEvent(event, propagatorFields(), fnName)) ?? describeEvent(undefined, [], fnName);
  const custom = options.extractContext
    ? safely('the extractContext option', () => options.extractContext!(event, lambdaContext))
    : undefined;
  const { parent, links } = extractInvocationParent(description, propagator, custom ?? undefined, lambdaContext);

  const attributes: Attributes = { ...description.attributes, [S.ATTR_FAAS_COLDSTART]: cold, [S.ATTR_LLM_EXPORT_MODE]: mode };
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
  const span = getTracer().startSpan(description.name, { kind: description.kind, attributes, links }, parent);
  if (options.requestHook) safely('the requestHook option', () => options.requestHook!(span, event, lambdaContext));
  const { context, finishOpenSpans } = withOpenSpanSet(trace.setSpan(parent, span));
  return { span, context, description, ended: false, finishOpenSpans };
}

function statusCodeOf(result: unknown, inferStatus200: boolean | undefined): number | undefined {
  const code = typeof result === 'object' && result !== null ? (result as { statusCode?: unknown }).statusCode : undefined;
  if (typeof code === 'number' && Number.isInteger(code)) return code;
  if (typeof code === 'string' && /^\d{3}$/.test(code)) return Number(code);
  // HTTP API and Function URLs answer 200 to a result that is not a response object.
  return inferStatus200 && code === undefined ? 200 : undefined;
}

/** The response's HTTP status on the span; a server span is an error only for 5xx (a 4xx is the client's). */
export function recordHttpStatus(invocation: Invocation, status: number): void {
  invocation.status = status;
  invocation.span.setAttribute(S.ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 500) {
    invocation.span.setAttribute(S.ATTR_ERROR_TYPE, String(status));
    invocation.span.setStatus({ code: SpanStatusCode.ERROR });
  }
}

export function endInvocation(invocation: Invocation, outcome: { result?: unknown; error?: unknown }, options: WrapperOptions): void {
  if (invocation.ended) return;
  invocation.ended = true;
  const { span, description } = invocation;
  if ('error' in outcome) {
    recordError(span, outcome.error);
  } else if (description.attributes[S.ATTR_FAAS_TRIGGER] === S.FAAS_TRIGGER_HTTP && invocation.status === undefined) {
    const status = statusCodeOf(outcome.result, description.inferStatus200);
    if (status !== undefined) recordHttpStatus(invocation, status);
  }
  if (options.responseHook) safely('the responseHook option', () => options.responseHook!(span, outcome));
  span.end();
}

/** Ends a still-running invocation's span as timed out; the handler itself runs on, untouched. */
export function salvageInvocation(invocation: Invocation): void {
  if (invocation.ended) return;
  invocation.ended = true;
  const { span } = invocation;
  span.setAttribute(S.ATTR_ERROR_TYPE, 'timeout');
  span.setAttribute(S.ATTR_LLM_TIMEOUT_SALVAGED, true);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'Lambda invocation about to time out' });
  span.end();
}


/** A response stream that failed while the handler itself resolved: recorded, the outcome left as it was. */
export function recordStreamFailure(invocation: Invocation, error: unknown): void {
  recordError(invocation.span, error);
}
