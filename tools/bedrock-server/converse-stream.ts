/**
 * ConverseStream (`POST /model/{modelId}/converse-stream`): the Converse reply as the event sequence Bedrock
 * sends: messageStart, per block contentBlockStart (tool use) / contentBlockDelta… / contentBlockStop,
 * messageStop with the stop reason, then metadata with usage (the last two are the stream's ending).
 */
import { converseReply } from './converse.ts';
import type { ServerState } from './state.ts';
import { sendEvents, type StreamEvent } from './stream.ts';
import { pieces } from './text.ts';
import type { Exchange } from './wire.ts';
import type { Fault, Json } from './types.ts';

function blockEvents(block: Json, index: number): StreamEvent[] {
  const events: StreamEvent[] = [];
  if (block['toolUse']) {
    const { toolUseId, name, input } = block['toolUse'];
    events.push({ type: 'contentBlockStart', payload: { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } } });
    for (const piece of pieces(JSON.stringify(input), 3)) {
      events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { toolUse: { input: piece } } } });
    }
  } else {
    for (const piece of pieces(String(block['text'] ?? ''))) {
      events.push({ type: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { text: piece } } });
    }
  }
  events.push({ type: 'contentBlockStop', payload: { contentBlockIndex: index } });
  return events;
}

export async function converseStream(ex: Exchange, state: ServerState, body: Json, fault: Fault | undefined): Promise<void> {
  const out = converseReply(state, body, fault);
  const events: StreamEvent[] = [{ type: 'messageStart', payload: { role: 'assistant' } }];
  for (const [index, block] of out.content.entries()) events.push(...blockEvents(block, index));
  events.push({ type: 'messageStop', payload: { stopReason: out.stopReason } });
  const metadata: Json = { usage: out.usage, metrics: { latencyMs: 42 } };
  if (out.trace) metadata['trace'] = out.trace;
  events.push({ type: 'metadata', payload: metadata });
  await sendEvents(ex, events, 2, fault, state.eventDelayMs);
}
