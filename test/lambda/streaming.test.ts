import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownTracing, withLlmTracing } from '../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';
import { lambdaContext, lambdaEnv, TRACEPARENT, PARENT_ID } from '../support/lambda.js';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
/** What `awslambda.streamifyResponse(handler, { highWaterMark })` does in the runtime. */
const streamify = <T extends object>(handler: T, highWaterMark?: number): T =>
  Object.assign(handler, { [STREAMING]: 'response', ...(highWaterMark ? { [HIGH_WATER_MARK]: highWaterMark } : {}) });

/** A response stream like the runtime's: a Writable that collects what the client would receive. */
function responseStream(): Writable & { received: string[] } {
  const received: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      received.push(chunk.toString());
      setTimeout(cb, 2);
    },
  });
  return Object.assign(w, { received });
}

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  lambdaEnv(receiver.url);
});
afterAll(async () => {
  await shutdownTracing(500);
  await receiver.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('response-streaming handlers', () => {
  it('keep the streaming marks, and the span covers the whole stream with time to first byte', async () => {
    const inner = streamify(async (_event: unknown, stream: Writable) => {
      await sleep(30);
      stream.write('first ');
      await sleep(30);
      stream.write('second');
      // Ended after the handler resolved: the span must still cover it.
      setTimeout(() => stream.end(), 60);
    }, 4096);
    const handler = withLlmTracing(inner);
    const marks = handler as unknown as Record<symbol, unknown>;
    expect(marks[STREAMING]).toBe('response');
    expect(marks[HIGH_WATER_MARK]).toBe(4096);
    expect(handler.length).toBe(3);
    const stream = responseStream();
    const started = performance.now();
    await handler(
      { version: '2.0', routeKey: '$default', headers: { traceparent: TRACEPARENT }, requestContext: { http: { method: 'POST', path: '/' } } },
      stream,
      lambdaContext(),
    );
    const elapsed = performance.now() - started;
    expect(stream.received.join('')).toBe('first second');
    expect(stream.writableFinished).toBe(true);
    const [span] = receiver.spans;
    expect(span!.parentSpanId).toBe(PARENT_ID);
    expect(span!.attributes['llm.response.time_to_first_byte']).toBeGreaterThanOrEqual(0.03);
    expect(span!.attributes['llm.response.bytes']).toBe(12);
    // The span lasted until the stream ended, past the handler's own promise (about 60 ms before the end).
    expect(span!.durationMs).toBeGreaterThanOrEqual(110);
    // And it was exported before the wrapper resolved (it is already in the receiver). The bound is loose: the span's
    // times come from the SDK's clock, `elapsed` from ours, and under load they drift by a few milliseconds.
    expect(span!.durationMs).toBeLessThanOrEqual(elapsed + 25);
  });

  it('records a stream that fails midway, and a handler that throws, without changing the outcome', async () => {
    receiver.clear();
    const failing = withLlmTracing(
      streamify(async (_e: unknown, stream: Writable) => {
        stream.write('partial');
        stream.destroy(new Error('client went away'));
      }),
    );
    const stream = responseStream();
    stream.on('error', () => {});
    await failing({}, stream, lambdaContext());
    expect(receiver.spans[0]!.status).toEqual({ code: 'ERROR', message: 'client went away' });

    receiver.clear();
    const error = new Error('handler failed');
    const throwing = withLlmTracing(
      streamify(async (_e: unknown, _s: Writable) => {
        throw error;
      }),
    );
    await expect(throwing({}, responseStream(), lambdaContext())).rejects.toBe(error);
    expect(receiver.spans[0]!.status.code).toBe('ERROR');
  });
});
