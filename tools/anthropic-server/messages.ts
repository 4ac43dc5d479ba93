/** `POST /v1/messages`: one Message as JSON, or its SSE event sequence when the body asks for `stream: true`. */
import { messageEvents, messageJson } from './events.ts';
import type { Fault } from './faults.ts';
import type { Exchange } from './http.ts';
import type { Json } from './plan.ts';
import { planMessage } from './plan.ts';
import type { PromptCache } from './prompt-cache.ts';
import type { SendContext } from './respond.ts';
import { respondJson, respondSse } from './respond.ts';

export async function messagesCreate(ctx: SendContext, cache: PromptCache, ex: Exchange, fault: Fault | undefined, body: Json): Promise<void> {
  const plan = planMessage(body, cache, fault);
  if (body.stream === true) return respondSse(ctx, ex, fault, messageEvents(plan));
  return respondJson(ctx, ex, fault, messageJson(plan));
}
