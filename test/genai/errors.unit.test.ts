import { describe, expect, it } from 'vitest';
import { statusErrorType, transportErrorType } from '../../src/genai/errors.js';

describe('statusErrorType', () => {
  it('names 429 and 408, and keeps any other status as its code', () => {
    expect(statusErrorType(429)).toBe('rate_limit');
    expect(statusErrorType(408)).toBe('timeout');
    expect(statusErrorType(500)).toBe('500');
    expect(statusErrorType(404)).toBe('404');
  });
});

describe('transportErrorType', () => {
  it('reads timeouts and aborts from the message or the name', () => {
    expect(transportErrorType({ message: 'Request timed out.' })).toBe('timeout');
    expect(transportErrorType({ message: 'Request was aborted.' })).toBe('aborted');
    expect(transportErrorType({ name: 'AbortError', message: 'This operation was aborted' })).toBe('aborted');
  });

  it('tells a stream cut midway (undici, node-fetch) from a connection that never answered', () => {
    expect(transportErrorType({ message: 'terminated' })).toBe('stream_interrupted');
    expect(transportErrorType({ message: 'Premature close' })).toBe('stream_interrupted');
    expect(transportErrorType({ message: 'x', code: 'ERR_STREAM_PREMATURE_CLOSE' })).toBe('stream_interrupted');
    for (const message of ['Connection error.', 'fetch failed', 'socket hang up', 'connect ECONNREFUSED 127.0.0.1:9', 'read ECONNRESET']) {
      expect(transportErrorType({ message }), message).toBe('connection_error');
    }
  });

  it('is undefined for anything else, a message that only contains `terminated` included', () => {
    expect(transportErrorType({ message: 'Invalid API key' })).toBeUndefined();
    expect(transportErrorType({ message: 'the process terminated' })).toBeUndefined();
    expect(transportErrorType({ message: 42, code: 42, name: 42 })).toBeUndefined();
    expect(transportErrorType({})).toBeUndefined();
  });
});
