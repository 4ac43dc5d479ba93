// The fresh-process app without tracing: a module-scope OpenAI client and a handler that answers without calling
// the model, so the figure is the cost of loading and of one invocation, not of a model call.
import OpenAI from 'openai';

const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-bench', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });

export const handler = async (event: { question?: string }) => ({ statusCode: 200, body: `${client.baseURL} ${event?.question ?? ''}` });
