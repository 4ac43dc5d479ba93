import type { ClientRequest, IncomingMessage } from 'node:http';
import { OTLPExporterError, type ExportResponse, type IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { VERSION } from '../version.js';
import type { TracesExportConfig } from './otlp-config.js';

/** What the sender needs from the exporter configuration. */
export type TransportSettings = Pick<TracesExportConfig, 'url' | 'headers' | 'compression' | 'tls'>;

type HttpModule = typeof import('node:http');

/** The SDK's answer bodies are tiny; more than this is not an OTLP response. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH']);
const USER_AGENT = `lambda-llm-tracing/${VERSION}`;

/**
 * The OTLP/HTTP sender: one `http.request` per attempt over a keep-alive agent, gzip when configured, the
 * response classified as the SDK's transport does (2xx success; 429/502/503/504 and network errors retryable,
 * with Retry-After; anything else a failure). `node:http` comes from `process.getBuiltinModule` on the first
 * send: an ESM import of it evaluates undici on Node 22+, some 30 ms of every cold start.
 */
export function createHttpTransport(settings: TransportSettings): IExporterTransport {
  const url = new URL(settings.url);
  const https = url.protocol === 'https:';
  let http: HttpModule | undefined;
  let agent: import('node:http').Agent | undefined;
  const load = () => {
    if (!http) {
      http = process.getBuiltinModule(https ? 'node:https' : 'node:http') as HttpModule;
      agent = new http.Agent({ keepAlive: true, ...settings.tls });
    }
    return http;
  };
  return {
    async send(data, timeoutMillis) {
      const headers: Record<string, string> = { ...settings.headers, 'User-Agent': USER_AGENT };
      let body: Uint8Array = data;
      if (settings.compression === 'gzip') {
        body = await gzip(data);
        headers['Content-Encoding'] = 'gzip';
      }
      headers['Content-Length'] = String(body.byteLength);
      return post(load(), agent, url, headers, body, timeoutMillis);
    },
    shutdown() {
      agent?.destroy();
    },
  };
}

function gzip(data: Uint8Array): Promise<Uint8Array> {
  const zlib = process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
  return new Promise((resolve, reject) => zlib.gzip(data, (error, out) => (error ? reject(error) : resolve(out))));
}

function post(
  http: HttpModule,
  agent: import('node:http').Agent | undefined,
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array,
  timeoutMillis: number,
): Promise<ExportResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ExportResponse) => {
      if (!settled) resolve(r);
      settled = true;
    };
    const req: ClientRequest = http.request(url, { method: 'POST', headers, ...(agent ? { agent } : {}) }, (res) => readResponse(res, req, done));
    req.setTimeout(timeoutMillis, () => {
      req.destroy();
      done({ status: 'retryable', error: new TransportError('timed out', 'timed out waiting for an answer') });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = typeof error.code === 'string' ? error.code : undefined;
      const failure = new TransportError(code ?? 'network', code === 'ECONNREFUSED' ? 'connection refused' : (code ?? error.message), error);
      done(code && RETRYABLE_CODES.has(code) ? { status: 'retryable', error: failure } : { status: 'failure', error: failure });
    });
    req.end(body);
  });
}

function readResponse(res: IncomingMessage, req: ClientRequest, done: (r: ExportResponse) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      done({ status: 'failure', error: new TransportError('response too large', `response body over ${MAX_RESPONSE_BYTES} bytes`) });
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  res.on('end', () => {
    const status = res.statusCode ?? 0;
    if (status >= 200 && status <= 299) return done({ status: 'success', data: Buffer.concat(chunks) });
    const error = new OTLPExporterError(res.statusMessage, status, Buffer.concat(chunks).toString());
    if (RETRYABLE_STATUS.has(status)) {
      const retryInMillis = retryAfterMs(res.headers['retry-after']);
      return done({ status: 'retryable', error, ...(retryInMillis !== undefined ? { retryInMillis } : {}) });
    }
    done({ status: 'failure', error });
  });
  res.on('error', (error) => done({ status: 'failure', error }));
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
