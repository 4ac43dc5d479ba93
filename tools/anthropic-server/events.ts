/**
 * A planned Message as the API sends it: one JSON object, or the SSE event sequence (`message_start`, per block
 * `content_block_start` / `content_block_delta`… / `content_block_stop`, a `ping` after the first block starts,
 * `message_delta` with the stop reason and output usage, `message_stop`).
 */
import type { Plan, PlannedBlock } from './plan.ts';

export interface SseEvent {
  event: string;
  data: unknown;
}

export function messageJson(plan: Plan): Record<string, unknown> {
  return {
    id: plan.id,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content: plan.blocks.map(blockJson),
    stop_reason: plan.stopReason,
    stop_sequence: plan.stopSequence,
    usage: { ...plan.usage, service_tier: 'standard' },
  };
}

function blockJson(block: PlannedBlock): Record<string, unknown> {
  if (block.type === 'text') return { type: 'text', text: block.text };
  return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
}

function blockEvents(block: PlannedBlock, index: number): SseEvent[] {
  const start = block.type === 'text' ? { type: 'text', text: '' } : { type: 'tool_use', id: block.id, name: block.name, input: {} };
  const deltas = block.pieces.map((piece) => ({
    event: 'content_block_delta',
    data: {
      type: 'content_block_delta',
      index,
      delta: block.type === 'text' ? { type: 'text_delta', text: piece } : { type: 'input_json_delta', partial_json: piece },
    },
  }));
  return [
    { event: 'content_block_start', data: { type: 'content_block_start', index, content_block: start } },
    ...(index === 0 ? [{ event: 'ping', data: { type: 'ping' } }] : []),
    ...deltas,
    { event: 'content_block_stop', data: { type: 'content_block_stop', index } },
  ];
}

export function messageEvents(plan: Plan): SseEvent[] {
  const startMessage = {
    ...messageJson(plan),
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...plan.usage, output_tokens: 1, service_tier: 'standard' },
  };
  return [
    { event: 'message_start', data: { type: 'message_start', message: startMessage } },
    ...plan.blocks.flatMap(blockEvents),
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: plan.stopReason, stop_sequence: plan.stopSequence },
        usage: { output_tokens: plan.usage.output_tokens },
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}
