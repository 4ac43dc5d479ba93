/**
 * The example's Bedrock path (`MODEL_PROVIDER=bedrock`): a Converse call on `BEDROCK_MODEL_ID`. The SDK reads
 * the region, the function role's credentials and, locally, `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` from the
 * environment; the template grants InvokeModel on that one model only.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { traceBedrock } from '../src/index.js';
import { SYSTEM_PROMPT } from './http.js';

export const MODEL_PROVIDER = process.env.MODEL_PROVIDER === 'bedrock' ? 'bedrock' : 'openai';
export const BEDROCK_MODEL_ID = process.env.BEDROCK_MODEL_ID || 'amazon.nova-lite-v1:0';

// Loaded and built on first use, then kept for the sandbox's life: a sandbox answering with OpenAI never loads
// the SDK (build.mjs leaves @aws-sdk/* to the Lambda runtime, which provides it).
let bedrock: BedrockRuntimeClient | undefined;
const sdk = () => import('@aws-sdk/client-bedrock-runtime');

export async function askBedrock(question: string): Promise<{ answer: string; model: string; usage: unknown }> {
  const { BedrockRuntimeClient, ConverseCommand } = await sdk();
  bedrock ??= traceBedrock(new BedrockRuntimeClient({ maxAttempts: 3 }));
  const out = await bedrock.send(
    new ConverseCommand({
      modelId: BEDROCK_MODEL_ID,
      system: [{ text: SYSTEM_PROMPT }],
      messages: [{ role: 'user', content: [{ text: question }] }],
      inferenceConfig: { maxTokens: 300 },
    }),
  );
  const answer = (out.output?.message?.content ?? []).map((b) => b.text ?? '').join('');
  return { answer, model: BEDROCK_MODEL_ID, usage: out.usage };
}
