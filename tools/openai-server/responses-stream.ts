/** The SSE events of a streamed response, in the order the API sends them. */
import type { Json } from './types.ts';

/** The SSE frames of a streamed response, ending with response.completed / response.incomplete. */
export function responseFrames(response: Json, deltas: string[][]): { frames: string[]; errorFrame: (seq: number) => string } {
  let seq = 0;
  const frames: string[] = [];
  const emit = (type: string, data: Json): void => {
    frames.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: seq++ })}\n\n`);
  };
  const pending = {
    ...response,
    status: 'in_progress',
    incomplete_details: null,
    output: [],
    usage: null,
  };
  emit('response.created', { response: pending });
  emit('response.in_progress', { response: pending });
  (response['output'] as Json[]).forEach((item, outputIndex) => {
    const pieces = deltas[outputIndex] ?? [];
    if (item['type'] === 'message') {
      const part = item['content'][0] as Json;
      emit('response.output_item.added', {
        output_index: outputIndex,
        item: { id: item['id'], type: 'message', status: 'in_progress', content: [], role: 'assistant' },
      });
      emit('response.content_part.added', {
        item_id: item['id'],
        output_index: outputIndex,
        content_index: 0,
        part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
      });
      for (const delta of pieces) {
        emit('response.output_text.delta', { item_id: item['id'], output_index: outputIndex, content_index: 0, delta, logprobs: [] });
      }
      emit('response.output_text.done', {
        item_id: item['id'],
        output_index: outputIndex,
        content_index: 0,
        text: part['text'],
        logprobs: [],
      });
      emit('response.content_part.done', { item_id: item['id'], output_index: outputIndex, content_index: 0, part });
      emit('response.output_item.done', { output_index: outputIndex, item });
    } else if (item['type'] === 'function_call') {
      emit('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      for (const delta of pieces) {
        emit('response.function_call_arguments.delta', { item_id: item['id'], output_index: outputIndex, delta });
      }
      emit('response.function_call_arguments.done', {
        item_id: item['id'],
        output_index: outputIndex,
        name: item['name'],
        arguments: item['arguments'],
      });
      emit('response.output_item.done', { output_index: outputIndex, item });
    } else {
      emit('response.output_item.added', { output_index: outputIndex, item });
      emit('response.output_item.done', { output_index: outputIndex, item });
    }
  });
  emit(response['status'] === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  const errorFrame = (at: number): string => {
    const error = {
      type: 'server_error',
      code: 'server_error',
      message: 'The server had an error while processing your request. Sorry about that!',
      param: null,
    };
    // Flat fields match the published ResponseErrorEvent; the nested `error` is what the API sends.
    return `event: error\ndata: ${JSON.stringify({ type: 'error', code: error.code, message: error.message, param: null, error, sequence_number: at })}\n\n`;
  };
  return { frames, errorFrame };
}
