/** An HTTP/1.1 response as the OTLP sender needs it: status, the headers it reads, the body. */
export interface Http1Response {
  status: number;
  statusText: string;
  /** By lower-cased name; repeated ones joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Whether the connection may carry the next request (HTTP/1.1, no `Connection: close`, nothing after the body). */
  reusable: boolean;
}

/** What reads one response off a connection, fed its bytes as they arrive. */
export interface ResponseReader {
  /** The response once complete; throws a ResponseError on what it cannot read. */
  feed(chunk: Buffer): Http1Response | undefined;
  /** The peer closed the connection: the response if its body ran to the close. */
  end(): Http1Response | undefined;
  /** Whether the head of the answer has arrived. */
  started(): boolean;
}

/** Why a response could not be read: framing the client cannot follow, or a body past the limit. */
export class ResponseError extends Error {
  readonly kind: 'malformed response' | 'response too large';
  constructor(kind: ResponseError['kind'], message: string) {
    super(message);
    this.name = 'ResponseError';
    this.kind = kind;
  }
}

/** More than this in a response head or a chunk line is not an OTLP collector talking. */
const MAX_LINE_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;

const malformed = (why: string) => new ResponseError('malformed response', why);

type Head = Omit<Http1Response, 'body'>;

/** A response head's status and framing; undefined for an interim 1xx answer, which the real one follows. */
function readHead(text: string): { head: Head; framing: 'length' | 'chunked' | 'close'; left: number } | undefined {
  const lines = text.split('\r\n');
  const m = STATUS_LINE.exec(lines[0]!);
  if (!m) throw malformed('not an HTTP/1.x status line');
  const status = Number(m[2]);
  // Interim answers (100 Continue, 103 Early Hints) precede the real one; 101 would switch protocols.
  if (status >= 100 && status < 200 && status !== 101) return undefined;
  const h: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('bad header line');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length' && h[name] !== undefined && h[name] !== value) throw malformed('conflicting Content-Length');
    h[name] = h[name] === undefined || name === 'content-length' ? value : `${h[name]}, ${value}`;
  }
  const close = /(^|,)\s*close\s*(,|$)/i.test(h.connection ?? '');
  const head = { status, statusText: m[3] ?? '', headers: h, reusable: m[1] === '1' && !close };
  const length = h['content-length'];
  if (status === 204 || status === 304) return { head, framing: 'length', left: 0 };
  if (h['transfer-encoding'] !== undefined) return { head, framing: /(^|,)\s*chunked\s*$/i.test(h['transfer-encoding']) ? 'chunked' : 'close', left: 0 };
  if (length === undefined) return { head, framing: 'close', left: 0 };
  if (!/^\d{1,15}$/.test(length)) throw malformed('bad Content-Length');
  return { head, framing: 'length', left: Number(length) };
}

/**
 * RFC 9112 framing: Content-Length, chunked (the last transfer coding), or the body up to the close; no body for
 * 204/304; interim 1xx answers skipped. `left` counts the body bytes still due: of the length, or of the chunk.
 */
export function responseReader(maxBody: number): ResponseReader {
  let pending: Buffer = Buffer.alloc(0);
  let head: Head | undefined;
  let framing: 'length' | 'chunked' | 'close' = 'close';
  let phase: 'size' | 'data' | 'crlf' | 'trailers' = 'size';
  let left = 0;
  const chunks: Buffer[] = [];
  let size = 0;

  /** The pending text up to `delimiter`, consumed with it; undefined until it has all arrived. */
  const cut = (delimiter: Buffer): string | undefined => {
    const end = pending.indexOf(delimiter);
    if (end < 0) {
      if (pending.length > MAX_LINE_BYTES) throw malformed('line too long');
      return undefined;
    }
    const text = pending.toString('latin1', 0, end);
    pending = pending.subarray(end + delimiter.length);
    return text;
  };
  /** Moves up to `n` pending bytes into the body; returns how many. */
  const take = (n: number): number => {
    n = Math.min(n, pending.length);
    size += n;
    if (size > maxBody) throw new ResponseError('response too large', `response body over ${maxBody} bytes`);
    chunks.push(pending.subarray(0, n));
    pending = pending.subarray(n);
    return n;
  };
  const response = (reusable: boolean): Http1Response => ({ ...head!, body: Buffer.concat(chunks), reusable: reusable && head!.reusable });
  const readChunked = (): Http1Response | undefined => {
    for (;;) {
      if (phase === 'data') {
        left -= take(left);
        if (left > 0) return undefined;
        phase = 'crlf';
      }
      const line = cut(CRLF);
      if (line === undefined) return undefined;
      if (phase === 'crlf') {
        if (line !== '') throw malformed('chunk not followed by CRLF');
        phase = 'size';
      } else if (phase === 'trailers') {
        if (line === '') return response(pending.length === 0);
      } else {
        const hex = /^([0-9a-fA-F]{1,8})[ \t]*(;.*)?$/.exec(line);
        if (!hex) throw malformed('bad chunk size');
        left = Number.parseInt(hex[1]!, 16);
        phase = left === 0 ? 'trailers' : 'data';
      }
    }
  };
  return {
    feed(chunk) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (!head) {
        const text = cut(HEAD_END);
        if (text === undefined) return undefined;
        const read = readHead(text);
        if (read) ({ head, framing, left } = read);
      }
      if (framing === 'chunked') return readChunked();
      left -= take(framing === 'close' ? pending.length : left);
      return framing === 'length' && left === 0 ? response(pending.length === 0) : undefined;
    },
    end: () => (head && framing === 'close' ? response(false) : undefined),
    started: () => head !== undefined,
  };
}
