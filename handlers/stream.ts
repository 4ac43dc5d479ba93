/**
 * POST /stream {"question": "..."} → a streamed chat completion, consumed here and answered as one JSON body with
 * the assembled text and the time to first token. (Turning this into a `awslambda.streamifyResponse` handler that
 * streams to the client is a later step; the traced model span already covers the whole stream.)
 */
import OpenAI from 'openai';
import { traceOpenAI, withLlmTracing } from '../src/index.js';
import { CHAT_MODEL, SYSTEM_PROMPT, badRequest, json, modelFailure, questionOf, type HttpApiEvent, type HttpResult } from './http.js';

const openai = traceOpenAI(new OpenAI({ maxRetries: 2, timeout: 20_000 }));

export const handler = withLlmTracing(async (event: HttpApiEvent): Promise<HttpResult> => {
  const question = questionOf(event);
  if (question === undefined) return badRequest();
  const started = performance.now();
  let ttftMs: number | undefined;
  let answer = '';
  let chunks = 0;
  try {
    const stream = await openai.chat.completions.create({
      model: CHAT_MODEL,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: question },
      ],
      max_completion_tokens: 300,
      stream: true,
    });
    for await (const chunk of stream) {
      chunks++;
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) {
        ttftMs ??= performance.now() - started;
        answer += delta;
      }
    }
  } catch (error) {
    return modelFailure(error);
  }
  return json(200, { answer, chunks, ttftMs: ttftMs === undefined ? null : Math.round(ttftMs * 10) / 10 });
});
