/** The caller's view of what the runtime posted: a result (maybe streamed), or an error in Lambda's shape. */
import type { InvokeResult } from './sandbox-types.ts';
import type { AbortError, InvocationOutcome } from './runtime-api.ts';

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function parseErrorBody(body: string, fallbackType: string): { errorType: string; errorMessage: string; trace?: string[] } {
  const v = parseJson(body);
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const trace = Array.isArray(o.trace) ? o.trace.map(String) : Array.isArray(o.stackTrace) ? o.stackTrace.map(String) : undefined;
    return {
      errorType: typeof o.errorType === 'string' ? o.errorType : fallbackType,
      errorMessage: typeof o.errorMessage === 'string' ? o.errorMessage : JSON.stringify(v),
      ...(trace ? { trace } : {}),
    };
  }
  return { errorType: fallbackType, errorMessage: typeof v === 'string' ? v : body };
}

/** What happened around one invocation while it ran: delivery time, logs before it, a timeout. */
export interface InvocationWatch {
  deliveredAt: number | undefined;
  preLogs: string;
  timedOut: boolean;
  peakAtKill: number | undefined;
  stop(): void;
}

/** The caller's view of the runtime's answer: a result (maybe streamed) or an error. */
export function outcomeResult(
  outcome: InvocationOutcome,
  requestId: string,
  began: number,
): { result?: unknown; error?: InvokeResult['error']; streamed?: InvokeResult['streamed'] } {
  if (outcome.kind === 'response' && outcome.streaming) {
    const streamed = {
      firstByteMs: outcome.firstByteAt === undefined ? undefined : outcome.firstByteAt - began,
      contentType: outcome.contentType,
      ...splitStreamed(outcome.body, outcome.contentType),
    };
    return { result: streamed.body, streamed };
  }
  if (outcome.kind === 'response') return { result: parseJson(outcome.body) };
  if (outcome.kind === 'error') return { error: parseErrorBody(outcome.body, outcome.errorType ?? 'Unhandled') };
  // Init errors are passed on as the runtime posted them; the sandbox's own errors
  // (timeout, exit) carry Lambda's "RequestId: ... Error: ..." form.
  const e: AbortError = outcome.error ?? { errorType: 'Runtime.Unknown', errorMessage: `RequestId: ${requestId} Error: ${outcome.reason}` };
  return { error: e };
}

/** `awslambda.HttpResponseStream` sends a JSON prelude (status, headers) and eight NUL bytes before the body. */
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';
function splitStreamed(body: string, contentType: string | undefined): { prelude?: unknown; body: string } {
  const cut = body.indexOf('\0'.repeat(8));
  if (contentType !== HTTP_INTEGRATION || cut < 0) return { body };
  return { prelude: parseJson(body.slice(0, cut)), body: body.slice(cut + 8) };
}
