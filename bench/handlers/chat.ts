// The one piece of logic every bench variant runs: a chat completion against the local OpenAI-compatible server.
import OpenAI from 'openai';

export interface BenchEvent {
  question?: string;
}

export function newClient(): OpenAI {
  return new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-bench', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });
}

export async function answer(client: OpenAI, event: BenchEvent): Promise<{ statusCode: number; body: string }> {
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: event?.question ?? 'Say hello.' }],
  });
  return { statusCode: 200, body: completion.choices[0]?.message.content ?? '' };
}
