/** `POST /v1/messages/count_tokens`: the input tokens a Messages request would use, without creating it. */
import type { Fault } from './faults.ts';
import { badRequest } from './faults.ts';
import type { Exchange } from './http.ts';
import type { Json } from './plan.ts';
import type { SendContext } from './respond.ts';
import { respondJson } from './respond.ts';
import { promptTokens } from './tokens.ts';

export async function countTokens(ctx: SendContext, ex: Exchange, fault: Fault | undefined, body: Json): Promise<void> {
  if (typeof body.model !== 'string' || body.model.length === 0) throw badRequest('model: Field required');
  if (!Array.isArray(body.messages)) throw badRequest('messages: Field required');
  return respondJson(ctx, ex, fault, { input_tokens: promptTokens(body) });
}
