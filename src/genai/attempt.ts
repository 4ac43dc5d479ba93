import { SpanKind, SpanStatusCode, context, createContextKey, trace, type Attributes, type Context as OtelContext, type Span } from '@opentelemetry/api';
import { recordError } from '../telemetry/errors.js';
import { getTracer } from '../telemetry/provider.js';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '../telemetry/semconv.js';
import { ATTR_HTTP_REQUEST_RESEND_COUNT, ATTR_URL_TEMPLATE } from './semconv.js';

/** Counts the HTTP attempts of the model call whose context is active. */
const ATTEMPTS = createContextKey('lambda-llm-tracing.genai-attempts');
export interface AttemptCounter {
  count: number;
}
export const withAttemptCounter = (ctx: OtelContext, counter: AttemptCounter): OtelContext => ctx.setValue(ATTEMPTS, counter);

export interface AttemptRequest {
  method: string;
  host: string;
  port: number;
  /** The path with ids replaced (`/v1/responses/{id}`): low-cardinality, as `url.template` must be. */
  template: string;
  /** The SDK's retry number for this attempt; 0 or undefined for the first. */
  resendCount?: number | undefined;
}

/**
 * Starts the span of one HTTP attempt under the active model call and counts it. Only the method, host, port,
 * path template and retry number are recorded: never the query, the body or a request header (credentials
 * travel in them).
 */
export function startAttempt(request: AttemptRequest): Span {
  const parent = context.active();
  const counter = parent.getValue(ATTEMPTS) as AttemptCounter | undefined;
  if (counter) counter.count += 1;
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: request.method,
    [ATTR_SERVER_ADDRESS]: request.host,
    [ATTR_SERVER_PORT]: request.port,
    [ATTR_URL_TEMPLATE]: request.template,
  };
  if (request.resendCount) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = request.resendCount;
  return getTracer().startSpan(`${request.method} ${request.template}`, { kind: SpanKind.CLIENT, attributes }, parent);
}

/** Runs `fn` with the attempt's span active, so a transport's own spans (if any) nest under it. */
export const inAttempt = <T>(span: Span, fn: () => T): T => context.with(trace.setSpan(context.active(), span), fn);

/** Ends an attempt that got a response; a 4xx/5xx makes it an error with the status as `error.type`. */
export function endAttempt(span: Span, status: number | undefined, attributes: Attributes = {}): void {
  try {
    if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    span.setAttributes(attributes);
    if (status !== undefined && status >= 400) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  } finally {
    span.end();
  }
}

/** Ends an attempt that got no response: refused, reset, timed out or aborted. */
export function failAttempt(span: Span, error: unknown, type: string): void {
  try {
    recordError(span, error, type);
  } finally {
    span.end();
  }
}
