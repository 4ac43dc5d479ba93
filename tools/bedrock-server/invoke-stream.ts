/**
 * InvokeModelWithResponseStream (`POST /model/{modelId}/invoke-with-response-stream`): the family's stream
 * chunks, each a `chunk` event with base64 JSON bytes; the last chunk carries Bedrock's
 * `amazon-bedrock-invocationMetrics` with the token counts.
 */
import type { ServerState } from './state.ts';
import { chunkEvent, sendEvents } from './stream.ts';
import { familyReply, guardrailFields } from './invoke-model.ts';
import type { Exchange } from './wire.ts';
import type { Fault, Json } from './types.ts';

export async function invokeStream(ex: Exchange, state: ServerState, modelId: string, body: Json, fault: Fault | undefined): Promise<void> {
  const { family, reply: r, usage } = familyReply(state, modelId, body, fault);
  const chunks = family.chunks(r, usage);
  const metrics = { inputTokenCount: usage.input, outputTokenCount: usage.output, invocationLatency: 42, firstByteLatency: 21 };
  const last = chunks.length - 1;
  chunks[last] = { ...chunks[last], ...guardrailFields(r), 'amazon-bedrock-invocationMetrics': metrics };
  const headers = { 'x-amzn-bedrock-content-type': 'application/json' };
  await sendEvents(ex, chunks.map(chunkEvent), family.finalChunks, fault, state.eventDelayMs, headers);
}
