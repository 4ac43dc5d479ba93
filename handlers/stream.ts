/**
 * Function URL (RESPONSE_STREAM), POST {"question": "..."} → a chat completion streamed to the client token by
 * token, as text/plain. An `awslambda.streamifyResponse` handler: each delta is written the moment the model
 * sends it, so the client sees the first words after the model's time to first token, not after the whole
 * answer. `withLlmTracing` keeps the streaming marks; the invocation span lasts until the response stream has
 * finished and records the time to first byte, the model span the time to first chunk.
 *
 * The status goes in the HTTP prelude, which `awslambda.HttpResponseStream.from` sends before the first byte:
 * 400 for a bad request, 502 when the model call fails before any token was written. Once tokens have been
 * streamed the status is out; a failure then just ends the stream (the trace has the error).
 */
import OpenAI from 'openai';
import type { Writable } from 'node:stream';
import { traceOpenAI, withLlmTracing } from '../src/index.js';
import { badRequest, chatRequest, modelFailure, questionOf, type HttpApiEvent, type HttpResult } from './http.js';

/** The global the Node.js runtime (aws-lambda-ric) installs before it loads the handler module. */
declare const awslambda: {
  streamifyResponse<T>(handler: T, options?: { highWaterMark?: number }): T;
  HttpResponseStream: { from(stream: Writable, prelude: { statusCode: number; headers?: Record<string, string> }): Writable };
};

const openai = traceOpenAI(new OpenAI({ maxRetries: 2, timeout: 20_000 }));
const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

/**
 * A whole (non-streamed) answer in the stream: prelude with its status and headers, then the body. Always
 * `write()` before `end()`: the runtime sends the prelude on the first write (`end(chunk)` would bypass it).
 */
function answerWith(responseStream: Writable, result: HttpResult): void {
  const out = awslambda.HttpResponseStream.from(responseStream, { statusCode: result.statusCode, headers: result.headers });
  out.write(result.body);
  out.end();
}

export const handler = withLlmTracing(
  awslambda.streamifyResponse(async (event: HttpApiEvent, responseStream: Writable): Promise<void> => {
    const question = questionOf(event);
    if (question === undefined) return answerWith(responseStream, badRequest());
    // The prelude is chosen at the first token: until then a failure can still be answered with a 502.
    let out: Writable | undefined;
    try {
      const stream = await openai.chat.completions.create({ ...chatRequest(question), stream: true });
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content;
        if (!delta) continue;
        out ??= awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: TEXT });
        out.write(delta);
      }
      // An empty answer still gets its 200 prelude, which the runtime sends with the first write.
      if (out === undefined) {
        out = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: TEXT });
        out.write('');
      }
      out.end();
    } catch (error) {
      if (out === undefined) return answerWith(responseStream, modelFailure(error));
      console.error('model stream failed after the answer started; ending the response', error instanceof Error ? error.message : String(error));
      out.end();
    }
  }),
);
