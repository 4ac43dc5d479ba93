import { describe, expect, it } from 'vitest';
import { bedrockErrorType } from '../../src/bedrock/errors.js';

/** An AWS SDK v3 service exception as it arrives: `name`, `$fault` and `$metadata` set as own properties. */
const sdkError = (name: string, status?: number) => Object.assign(new Error(name), { name, $fault: 'client', $metadata: { httpStatusCode: status } });

describe('bedrockErrorType', () => {
  it('types by the exception name the SDK assigns, which minification keeps', () => {
    expect(bedrockErrorType(sdkError('ThrottlingException', 429))).toBe('throttling');
    expect(bedrockErrorType(sdkError('ValidationException', 400))).toBe('validation');
    expect(bedrockErrorType(sdkError('ModelTimeoutException', 408))).toBe('timeout');
  });

  it('falls back to the HTTP status, then to the stream exceptions that come without one', () => {
    expect(bedrockErrorType(sdkError('SomeNewException', 418))).toBe('418');
    expect(bedrockErrorType(sdkError('InternalServerException'))).toBe('internal_server_error');
    expect(bedrockErrorType(sdkError('InternalServerException', 500))).toBe('500');
  });

  it("reads Node's and HTTP/2's error codes", () => {
    expect(bedrockErrorType(Object.assign(new Error('x'), { code: 'ERR_HTTP2_STREAM_ERROR' }))).toBe('stream_interrupted');
    expect(bedrockErrorType(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('connection_error');
    expect(bedrockErrorType(Object.assign(new Error('x'), { code: 'ERR_HTTP2_GOAWAY_SESSION' }))).toBe('connection_error');
    expect(bedrockErrorType(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe('timeout');
  });

  it('tells a connection closed before any response from a timeout, though both are named TimeoutError', () => {
    expect(bedrockErrorType(Object.assign(new Error('Connection closed: did not get a response'), { name: 'TimeoutError' }))).toBe('connection_error');
    expect(bedrockErrorType(Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }))).toBe('timeout');
  });

  it('is _OTHER for anything else', () => {
    expect(bedrockErrorType(new Error('x'))).toBe('_OTHER');
    // Names that are keys of every object are no entry of the table.
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(bedrockErrorType({ name }), name).toBe('_OTHER');
    expect(bedrockErrorType(7)).toBe('_OTHER');
  });
});
