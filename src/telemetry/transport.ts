import type { Socket } from 'node:net';
import { diag } from '@opentelemetry/api';
import { OTLPExporterError, type ExportResponse, type IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { VERSION } from '../version.js';
import { http1Client, type Exchange } from '../extension/http/client.js';
import { ResponseError } from '../extension/http/response.js';
import type { TracesExportConfig } from './otlp-config.js';

/** What the sender needs from the exporter configuration. */
export type TransportSettings = Pick<TracesExportConfig, 'url' | 'headers' | 'compression' | 'tls'>;

/** The SDK's answer bodies are tiny; more than this is not an OTLP response. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH']);
const USER_AGENT = `lambda-llm-tracing/${VERSION}`;
/** Headers the sender writes itself; a configured one of these names is not sent. */
const OWN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'user-agent']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** The live senders' `warm`, for `prewarmTransports`. */
const warmers = new Set<() => void>();

/**
 * Has every sender without a connection open one, once the event loop next turns: called as an invocation
 * starts, so that connecting (and loading `node:net` on a cold start) overlaps the handler's own waiting for I/O
 * (an LLM call) instead of delaying the export. When the handler answers at once, the export comes first and
 * this finds its connection open.
 */
export function prewarmTransports(): void {
  for (const warm of warmers) warm();
}

/**
 * The OTLP/HTTP sender: gzip when configured, the response classified as the SDK's transport does (2xx success;
 * 429/502/503/504 and network errors retryable, with Retry-After; anything else a failure). It posts with our
 * HTTP/1.1 client over keep-alive connections from `node:net` (or `node:tls` for https, one secure context for
 * all of them), loaded through `process.getBuiltinModule` on the first send: an ESM import of `node:http`
 * evaluates undici on Node 22+ (some 30 ms of a cold start), and driving it costs the first export more again.
 */
export function createHttpTransport(settings: TransportSettings): IExporterTransport {
  const url = new URL(settings.url);
  const client = http1Client(connector(url, settings.tls), MAX_RESPONSE_BYTES);
  // The request head is the same for every export but for the body's length: written out once.
  const lines = [...requestHeaders({ Host: url.host, ...basicAuth(url) }, settings.headers), ['User-Agent', USER_AGENT], ['Connection', 'keep-alive']];
  const prefix = `POST ${url.pathname}${url.search} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}`;
  const gzipped = settings.compression === 'gzip';
  warmers.add(client.warm);
  return {
    async send(data, timeoutMillis) {
      const body = gzipped ? await gzip(data) : data;
      const head = `${prefix}${gzipped ? 'Content-Encoding: gzip\r\n' : ''}Content-Length: ${body.byteLength}\r\n\r\n`;
      return exportResponse(await client.request(head, body, timeoutMillis));
    },
    shutdown() {
      warmers.delete(client.warm);
      client.close();
    },
  };
}

/** Opens a connection to the URL's origin: TCP for http, TLS (SNI and identity checked against the host) for https. */
function connector(url: URL, tls: TransportSettings['tls']): () => Socket {
  // A bracketed IPv6 literal in the URL is a bare address to connect to.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = url.protocol === 'https:';
  const port = Number(url.port) || (secure ? 443 : 80);
  const options = { host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 };
  if (!secure) return () => (process.getBuiltinModule('node:net') as typeof import('node:net')).connect(options);
  let secureContext: import('node:tls').SecureContext | undefined;
  return () => {
    const tlsModule = process.getBuiltinModule('node:tls') as typeof import('node:tls');
    secureContext ??= tlsModule.createSecureContext(tls);
    const servername = isIP(host) ? undefined : host;
    return tlsModule.connect({ ...options, secureContext, ...(servername ? { servername } : {}) });
  };
}

/** Credentials in the endpoint URL, sent as `node:http` sends them (a configured Authorization header wins). */
function basicAuth(url: URL): Record<string, string> {
  if (!url.username && !url.password) return {};
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

function isIP(host: string): boolean {
  return (process.getBuiltinModule('node:net') as typeof import('node:net')).isIP(host) !== 0;
}

function exportResponse(exchange: Exchange): ExportResponse {
  if ('response' in exchange) {
    const r = exchange.response;
    return classify(r.status, r.statusText, r.headers['retry-after'], r.body);
  }
  if ('timedOut' in exchange) return { status: 'retryable', error: new TransportError('timed out', 'timed out waiting for an answer') };
  const { error, answered } = exchange;
  if (error instanceof ResponseError) return { status: 'failure', error: new TransportError(error.kind, error.message, error) };
  // Cut off after the answer had begun: the request may have been processed, so it is not sent again.
  if (answered) return { status: 'failure', error: new TransportError('aborted', 'connection closed mid-response', error) };
  const code = typeof error.code === 'string' ? error.code : undefined;
  const failure = new TransportError(code ?? 'network', code === 'ECONNREFUSED' ? 'connection refused' : (code ?? error.message), error);
  return code && RETRYABLE_CODES.has(code) ? { status: 'retryable', error: failure } : { status: 'failure', error: failure };
}

/** An answer as the SDK's transport reads it: 2xx success, 429/502/503/504 retryable (after Retry-After), else a failure. */
function classify(status: number, statusText: string, retryAfter: string | undefined, body: Buffer): ExportResponse {
  if (status >= 200 && status <= 299) return { status: 'success', data: body };
  const error = new OTLPExporterError(statusText, status, body.toString());
  if (!RETRYABLE_STATUS.has(status)) return { status: 'failure', error };
  const retryInMillis = retryAfterMs(retryAfter);
  return { status: 'retryable', error, ...(retryInMillis !== undefined ? { retryInMillis } : {}) };
}

/**
 * The defaults (Host, credentials from the URL) and then the configured headers, one per name whatever its case
 * (the last wins, as `setHeader` does), without those the sender writes itself; a configured name or value that
 * HTTP cannot carry is left out with a warning, where Node's own client would throw on every export.
 */
function requestHeaders(defaults: Record<string, string>, configured: Record<string, string>): Iterable<[string, string]> {
  const byName = new Map<string, [string, string]>(Object.entries(defaults).map(([k, v]) => [k.toLowerCase(), [k, v]]));
  for (const [name, value] of Object.entries(configured)) {
    if (!TOKEN.test(name) || INVALID_VALUE.test(value)) {
      diag.warn(`lambda-llm-tracing: not sending the OTLP header ${JSON.stringify(name)}: not a valid HTTP header`);
      continue;
    }
    if (!OWN_HEADERS.has(name.toLowerCase())) byName.set(name.toLowerCase(), [name, value]);
  }
  return byName.values();
}

function gzip(data: Uint8Array): Promise<Uint8Array> {
  const zlib = process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
  return new Promise((resolve, reject) => zlib.gzip(data, (error, out) => (error ? reject(error) : resolve(out))));
}

/** Retry-After as the SDK reads it: seconds, or an HTTP date; undefined lets the backoff decide. */
export function retryAfterMs(value: string | undefined): number | undefined {
  if (value == null) return undefined;
  const seconds = Number.parseInt(value, 10);
  if (Number.isInteger(seconds)) return seconds > 0 ? seconds * 1000 : -1;
  const delay = new Date(value).getTime() - Date.now();
  return delay >= 0 ? delay : 0;
}

/** A network-level failure, with the low-cardinality cause the delivery warning names. */
export class TransportError extends Error {
  readonly kind: string;
  constructor(kind: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TransportError';
    this.kind = kind;
  }
}
