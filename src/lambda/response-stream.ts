import type { Span } from '@opentelemetry/api';
import { ATTR_LLM_RESPONSE_BYTES, ATTR_LLM_RESPONSE_TIME_TO_FIRST_BYTE } from '../telemetry/semconv.js';
import type { Writable } from 'node:stream';
import type { LambdaContext } from '../types.js';

/** The marks `awslambda.streamifyResponse` puts on a handler; the runtime reads them to stream the response. */
export const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
export const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

/** The parts of the runtime's response stream (a Writable) we observe. */
export interface ResponseStream {
  write(chunk: unknown, ...rest: unknown[]): boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  writableFinished?: boolean;
  setContentType?: (type: string) => void;
  /** aws-lambda-ric's hook, set by `HttpResponseStream.from`, that writes the HTTP prelude before the first byte. */
  _onBeforeFirstWrite?: (write: (chunk: unknown) => void) => void;
}

/** `awslambda.HttpResponseStream` marks its stream with this type and sends a JSON prelude (status, headers). */
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

function statusOfPrelude(chunk: unknown): number | undefined {
  try {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const code = (JSON.parse(text) as { statusCode?: unknown }).statusCode;
    return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** A response-streaming handler; `S` is whatever stream type the handler declares (a Writable underneath). */
/** A response-streaming handler; `R` is what it resolves to (nothing, as a rule: the body goes to the stream). */
export type StreamingHandler<E, C extends LambdaContext = LambdaContext, S = Writable, R = unknown> = (
  event: E,
  responseStream: S,
  context: C,
) => R | Promise<R>;

export function isStreamingHandler(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[STREAMING] === 'response';
}

/** Copies the streaming marks so the runtime still streams through our wrapper. */
export function copyStreamingMarks(from: unknown, to: object): void {
  const source = from as Record<symbol, unknown>;
  const target = to as Record<symbol, unknown>;
  target[STREAMING] = source[STREAMING];
  if (source[HIGH_WATER_MARK] !== undefined) target[HIGH_WATER_MARK] = source[HIGH_WATER_MARK];
}

/**
 * Watches a response stream: time to first byte and bytes written, and resolves when the stream has finished,
 * closed or failed, so the invocation span covers the whole stream, not only the handler's promise.
 */
export function observeResponseStream(stream: ResponseStream, span: Span, startedAt: number, onStatus: (status: number) => void): Promise<{ error?: unknown }> {
  let bytes = 0;
  let first = true;
  let httpIntegration = false;
  const setContentType = stream.setContentType;
  if (typeof setContentType === 'function') {
    stream.setContentType = function observedSetContentType(this: unknown, type: string): void {
      httpIntegration = type === HTTP_INTEGRATION;
      setContentType.call(this, type);
    };
  }
  const write = stream.write;
  stream.write = function observedWrite(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    try {
      if (first) {
        first = false;
        span.setAttribute(ATTR_LLM_RESPONSE_TIME_TO_FIRST_BYTE, (performance.now() - startedAt) / 1000);
        const hook = stream._onBeforeFirstWrite;
        if (httpIntegration && typeof hook === 'function') {
          // aws-lambda-ric writes the prelude from this hook, inside the first write: read its status there.
          stream._onBeforeFirstWrite = (inner) => {
            let prelude = true;
            hook((c) => {
              if (prelude) {
                prelude = false;
                const status = statusOfPrelude(c);
                if (status !== undefined) onStatus(status);
              }
              inner(c);
            });
          };
        } else if (httpIntegration) {
          // A runtime that writes the prelude itself, as the first chunk.
          const status = statusOfPrelude(chunk);
          if (status !== undefined) onStatus(status);
        }
      }
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : ((chunk as { byteLength?: number })?.byteLength ?? 0);
    } catch {
      // Counting is best effort; the write itself must go through untouched.
    }
    return write.call(this, chunk, ...rest);
  };
  return new Promise((resolve) => {
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      span.setAttribute(ATTR_LLM_RESPONSE_BYTES, bytes);
      resolve(error === undefined ? {} : { error });
    };
    stream.on('finish', () => finish());
    stream.on('close', () => finish());
    stream.on('error', (error: unknown) => finish(error ?? new Error('response stream failed')));
    if (stream.writableFinished) finish();
  });
}
