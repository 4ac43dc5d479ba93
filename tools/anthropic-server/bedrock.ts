/**
 * Claude on Amazon Bedrock as `AnthropicBedrock` calls it: `POST /model/{model}/invoke` (a Message as JSON) and
 * `/model/{model}/invoke-with-response-stream`, the model in the path and no `stream` in the body. The stream is
 * answered as SSE, which the Bedrock client accepts as it does from a gateway (it decodes AWS event-stream framing
 * only when the content type says so).
 */
import type { Fault } from './faults.ts';
import type { Exchange } from './http.ts';
import { messagesCreate } from './messages.ts';
import type { Json } from './plan.ts';
import type { PromptCache } from './prompt-cache.ts';
import type { SendContext } from './respond.ts';

const ROUTE = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;

/** The model and streaming flag of a Bedrock runtime path, or undefined for any other path. */
export function bedrockRoute(path: string): { model: string; stream: boolean } | undefined {
  const match = ROUTE.exec(path);
  return match ? { model: decodeURIComponent(match[1]!), stream: match[2] === 'invoke-with-response-stream' } : undefined;
}

export function bedrockInvoke(
  ctx: SendContext,
  cache: PromptCache,
  ex: Exchange,
  fault: Fault | undefined,
  route: { model: string; stream: boolean },
  body: Json,
): Promise<void> {
  return messagesCreate(ctx, cache, ex, fault, { ...body, model: route.model, stream: route.stream });
}
