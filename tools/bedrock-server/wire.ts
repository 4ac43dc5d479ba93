/**
 * One request/response exchange, the same for HTTP/1.1 and cleartext HTTP/2 (the compat API gives both a
 * `(req, res)` pair): JSON and error replies shaped like Bedrock's, and event-stream bodies written frame by
 * frame with `@smithy/eventstream-codec`, with the ways a real stream dies (RST_STREAM, dropped connection).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as h2, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { requestId } from './text.ts';
import type { Json, RecordedRequest } from './types.ts';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

/** What both protocols' responses share (their union's methods are not callable as such). */
interface Response {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array | string): boolean;
  end(chunk?: string): unknown;
  flushHeaders?(): void;
  destroy(): void;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

export interface Exchange {
  protocol: 'h2' | 'http/1.1';
  req: IncomingMessage | Http2ServerRequest;
  res: Response;
  requestId: string;
  /** The recorded request, once read: stream writes count their frames on it. */
  recorded?: RecordedRequest;
}

export function exchange(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): Exchange {
  return { protocol: req.httpVersionMajor === 2 ? 'h2' : 'http/1.1', req, res: res as unknown as Response, requestId: requestId() };
}

function baseHeaders(ex: Exchange, contentType: string): Record<string, string> {
  return { 'content-type': contentType, 'x-amzn-requestid': ex.requestId, date: new Date().toUTCString() };
}

export function sendJson(ex: Exchange, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  ex.res.writeHead(status, { ...baseHeaders(ex, 'application/json'), 'content-length': String(Buffer.byteLength(text)), ...extra });
  ex.res.end(text);
}

/** Bedrock's error shape: the type in `x-amzn-errortype` (with the Coral namespace suffix), `message` in the body. */
export function sendError(ex: Exchange, status: number, type: string, message: string): void {
  sendJson(ex, status, { message }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
}

export function openEventStream(ex: Exchange, extra: Record<string, string> = {}): void {
  ex.res.writeHead(200, { ...baseHeaders(ex, 'application/vnd.amazon.eventstream'), ...extra });
  // Headers go out now, as Bedrock's do; the first event may come much later.
  ex.res.flushHeaders?.();
}

function writeFrame(ex: Exchange, kind: 'event' | 'exception', type: string, payload: Json): void {
  const frame = codec.encode({
    headers: {
      [kind === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: kind },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify(payload))),
  });
  ex.res.write(frame);
}

/** An event frame: `:event-type` names the union member (`contentBlockDelta`, `chunk`), the payload is JSON. */
export function writeEvent(ex: Exchange, eventType: string, payload: Json): void {
  writeFrame(ex, 'event', eventType, payload);
  if (ex.recorded) ex.recorded.eventsSent++;
}

/** An exception frame: `:exception-type` is the stream member (`modelStreamErrorException`). */
export function writeException(ex: Exchange, exceptionType: string, message: string): void {
  writeFrame(ex, 'exception', exceptionType, { message });
}

export function endStream(ex: Exchange): void {
  ex.res.end();
}

/** Kills the exchange: on HTTP/2 `rst` resets only this stream, `drop` the whole connection; HTTP/1.1 loses the socket. */
export function kill(ex: Exchange, how: 'rst' | 'drop'): void {
  if (ex.protocol === 'h2') {
    const req = ex.req as Http2ServerRequest;
    if (how === 'rst') req.stream.close(h2.NGHTTP2_INTERNAL_ERROR);
    else req.stream.session?.destroy();
    return;
  }
  (ex.req as IncomingMessage).socket.destroy();
}

export function isGone(ex: Exchange): boolean {
  return ex.res.destroyed || ex.res.writableEnded;
}
