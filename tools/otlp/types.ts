/** The flat span shape both decoders produce, so tests assert without knowing the exporter's encoding. */

export type AttrValue =
  | string
  | number
  | boolean
  | null
  | AttrValue[]
  | { [k: string]: AttrValue }
  | Uint8Array;

export type SpanKindName = 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED';
export type StatusCodeName = 'UNSET' | 'OK' | 'ERROR';

export interface ReceivedEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Record<string, AttrValue>;
}

export interface ReceivedLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Record<string, AttrValue>;
}

export interface ReceivedSpan {
  /** Lowercase hex. */
  traceId: string;
  spanId: string;
  /** Undefined for root spans. */
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: SpanKindName;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  durationMs: number;
  attributes: Record<string, AttrValue>;
  events: ReceivedEvent[];
  links: ReceivedLink[];
  status: { code: StatusCodeName; message?: string };
  resource: Record<string, AttrValue>;
  scope: { name: string; version?: string };
  droppedAttributesCount: number;
}

export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

export type ReceiverMode =
  /** 200 with an empty ExportTraceServiceResponse in the request's encoding. */
  | { kind: 'ok' }
  /** Stop listening (ECONNREFUSED); switching back re-listens on the same port. */
  | { kind: 'refuse' }
  /** Read the request, then reset the connection without answering. */
  | { kind: 'reset' }
  /** Read the request and never answer, until the mode changes (then it is answered per the new mode) or close(). */
  | { kind: 'hang' }
  /** Answer 200 after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Answer with this status (spans are recorded only if it is 2xx). */
  | { kind: 'status'; code: number; retryAfterSeconds?: number };

export interface ReceivedRequest {
  path: string;
  contentType: string;
  /** Content-Encoding as sent ('' when none); `body` is already decompressed. */
  contentEncoding: string;
  body: Buffer;
  /** What the client saw: the HTTP status, 'reset', or 'hung' while (or if) never answered. */
  status: number | 'hung' | 'reset';
  /** Date.now() when the request body had been read. */
  at: number;
}

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:43111 (what OTEL_EXPORTER_OTLP_ENDPOINT takes). */
  url: string;
  /** url + '/v1/traces' (what an exporter's `url` option takes). */
  tracesUrl: string;
  port: number;
  /** Every span decoded from a request answered 2xx, in arrival order. */
  spans: ReceivedSpan[];
  /** Every request that reached the handler, whatever its fate. */
  requests: ReceivedRequest[];
  setMode(mode: ReceiverMode): Promise<void>;
  /** Resolves with a snapshot of `spans` once `pred` holds (a number means "at least that many"). */
  waitForSpans(pred: number | ((spans: ReceivedSpan[]) => boolean), timeoutMs?: number): Promise<ReceivedSpan[]>;
  /** Forgets recorded spans and requests (the arrays are emptied in place). */
  clear(): void;
  /** Stops listening and ends every connection, hung ones included. Idempotent. */
  close(): Promise<void>;
  /** Called with each accepted batch, before the exporter sees the response. */
  onSpans?: (spans: ReceivedSpan[]) => void;
}
