/** POST /chat {"question": "..."} → a chat completion for the question (OpenAI, or Bedrock with MODEL_PROVIDER=bedrock). */
import OpenAI from 'openai';
import { traceOpenAI, withLlmTracing } from '../src/index.js';
import { MODEL_PROVIDER, askBedrock } from './bedrock.js';
import { badRequest, chatRequest, json, modelFailure, questionOf, type HttpApiEvent, type HttpResult } from './http.js';

// Module scope: created once per sandbox (cold start), reused by every warm invocation.
// OPENAI_API_KEY and OPENAI_BASE_URL are read by the SDK itself.
const openai = traceOpenAI(new OpenAI({ maxRetries: 2, timeout: 20_000 }));

export const handler = withLlmTracing(async (event: HttpApiEvent): Promise<HttpResult> => {
  const question = questionOf(event);
  if (question === undefined) return badRequest();
  try {
    if (MODEL_PROVIDER === 'bedrock') return json(200, await askBedrock(question));
    const completion = await openai.chat.completions.create(chatRequest(question));
    return json(200, {
      answer: completion.choices[0]?.message.content ?? '',
      model: completion.model,
      usage: completion.usage,
    });
  } catch (error) {
    return modelFailure(error);
  }
});
