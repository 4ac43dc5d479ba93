import { describe, expect, it } from 'vitest';
import { anthropicErrorType } from '../../src/anthropic/errors.js';

describe('anthropicErrorType', () => {
  it('types 529 as overloaded and other statuses as the shared vocabulary', () => {
    expect(anthropicErrorType({ status: 529 })).toBe('overloaded');
    expect(anthropicErrorType({ status: 429 })).toBe('rate_limit');
    expect(anthropicErrorType({ status: 400 })).toBe('400');
  });

  it("types a stream's error event from its body (0.5x on) or from its raw JSON message (0.3x)", () => {
    expect(anthropicErrorType({ error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } })).toBe('overloaded');
    expect(anthropicErrorType({ message: '{"type":"error","error":{"type":"rate_limit_error"}}' })).toBe('rate_limit');
    expect(anthropicErrorType({ error: { type: 'error', error: { type: 'something_new' } } })).toBe('stream_error');
    expect(anthropicErrorType({ error: { type: 'error', error: { type: 'constructor' } } })).toBe('stream_error');
  });

  it('falls back to transport errors, then _OTHER; a message that looks like JSON but is not stays harmless', () => {
    expect(anthropicErrorType({ message: 'terminated' })).toBe('stream_interrupted');
    expect(anthropicErrorType({ message: '{not json' })).toBe('_OTHER');
    expect(anthropicErrorType(new Error('x'))).toBe('_OTHER');
    expect(anthropicErrorType(undefined)).toBe('_OTHER');
  });
});
