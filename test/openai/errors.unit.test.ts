import { describe, expect, it } from 'vitest';
import { openAIErrorType } from '../../src/openai/errors.js';

describe('openAIErrorType', () => {
  it('types HTTP errors by status', () => {
    expect(openAIErrorType({ status: 429, message: '429 Rate limit reached' })).toBe('rate_limit');
    expect(openAIErrorType({ status: 503 })).toBe('503');
  });

  it('types transport errors, then an error event inside a stream (no status), else _OTHER', () => {
    expect(openAIErrorType({ status: undefined, message: 'Connection error.' })).toBe('connection_error');
    expect(openAIErrorType({ status: undefined, error: { message: 'server_error' }, message: 'server_error' })).toBe('stream_error');
    expect(openAIErrorType(new Error('Unexpected token'))).toBe('_OTHER');
    expect(openAIErrorType('boom')).toBe('_OTHER');
    expect(openAIErrorType(null)).toBe('_OTHER');
  });

  it('does not take a status below 400 for an HTTP error', () => {
    expect(openAIErrorType({ status: 200, message: 'weird' })).toBe('_OTHER');
  });
});
