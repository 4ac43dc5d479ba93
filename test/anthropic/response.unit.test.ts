import { describe, expect, it } from 'vitest';
import { message } from '../../src/anthropic/response.js';
import { ResponseSummary } from '../../src/genai/summary.js';

const summarise = (value: unknown) => {
  const s = new ResponseSummary(true);
  message(s, value);
  return s;
};

describe('Anthropic message → summary', () => {
  it('adds cache reads and writes to the input tokens, as the conventions count them', () => {
    const s = summarise({
      id: 'msg_1',
      model: 'claude-x',
      usage: { input_tokens: 10, cache_read_input_tokens: 30, cache_creation_input_tokens: 5, output_tokens: 7 },
    });
    expect([s.id, s.model, s.inputTokens, s.cacheReadTokens, s.cacheCreationTokens, s.outputTokens]).toEqual(['msg_1', 'claude-x', 45, 30, 5, 7]);
  });

  it('maps stop reasons onto the shared finish reasons and keeps unknown ones as they are', () => {
    expect(summarise({ stop_reason: 'end_turn' }).choices[0]?.finishReason).toBe('stop');
    expect(summarise({ stop_reason: 'max_tokens' }).choices[0]?.finishReason).toBe('length');
    expect(summarise({ stop_reason: 'tool_use' }).choices[0]?.finishReason).toBe('tool_call');
    expect(summarise({ stop_reason: 'pause_turn' }).choices[0]?.finishReason).toBe('pause_turn');
    // Not the inherited Object.prototype.constructor function.
    expect(summarise({ stop_reason: 'constructor' }).choices[0]?.finishReason).toBe('constructor');
  });
});
