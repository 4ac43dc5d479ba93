/**
 * Can spans reach this OTLP/HTTP endpoint? One empty export request, answered or not, said as a cause a person
 * can act on (refused, timed out, HTTP status), so the tools never claim a delivery that did not happen.
 */
import http from 'node:http';
import https from 'node:https';

export interface ProbeResult {
  /** The traces URL that was tried. */
  url: string;
  ok: boolean;
  /** What happened, in a few words: "HTTP 200", "connection refused (…)", "timed out after 2000 ms". */
  cause: string;
}

/** The traces URL the OpenTelemetry exporter uses for these variables (signal-specific first, as the spec says). */
export function tracesUrlFromEnv(env: Record<string, string | undefined>): string {
  const specific = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (specific) return specific;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || 'http://localhost:4318';
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

export function probeOtlp(tracesUrl: string, timeoutMs = 2000, headers: Record<string, string> = {}): Promise<ProbeResult> {
  let url: URL;
  try {
    url = new URL(tracesUrl);
  } catch {
    return Promise.resolve({ url: tracesUrl, ok: false, cause: 'not a URL' });
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const body = '{"resourceSpans":[]}';
  return new Promise((resolve) => {
    const done = (ok: boolean, cause: string) => resolve({ url: tracesUrl, ok, cause });
    const request = url.protocol === 'https:' ? https.request : http.request;
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      const hint = status === 404 ? ' (no OTLP traces route there: is the path /v1/traces?)' : '';
      done(status >= 200 && status < 300, `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${hint}`);
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      done(false, `timed out after ${timeoutMs} ms (nothing answered on port ${port})`);
    });
    req.on('error', (err: NodeJS.ErrnoException) => done(false, networkCause(err, port)));
    req.end(body);
  });
}

function networkCause(err: NodeJS.ErrnoException, port: string): string {
  const grpc = port === '4317' ? '; 4317 is OTLP/gRPC, these exporters speak OTLP/HTTP, usually on 4318' : '';
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused (nothing listens on port ${port}: the collector port is closed)`;
    case 'ECONNRESET':
      return `connection reset by the peer${grpc}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${err.code})`;
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
      return `the answer was not HTTP/1.1${grpc}`;
    default:
      return `${err.code ?? 'error'}: ${err.message}${grpc}`;
  }
}
