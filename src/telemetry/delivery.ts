import { diag } from '@opentelemetry/api';
import { OTLPExporterError, type ExportResponse, type IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { TransportError } from './transport.js';

// The OTLP exporter base's retry policy (its retrying transport is not part of the package's public entry points).
const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;

/**
 * Retries what the sender calls retryable, as the SDK's exporters do (exponential backoff with jitter, or the
 * server's Retry-After, never past the export timeout), then says once per cause, at warn level, when spans
 * could not be delivered: the endpoint and why (refused, timed out, the HTTP status). A cause is said again
 * only after a delivery has succeeded in between.
 */
export function retryingWithWarnings(transport: IExporterTransport, endpoint: string): IExporterTransport {
  const said = new Set<string>();
  return {
    async send(data, timeoutMillis) {
      const result = await withRetries(transport, data, timeoutMillis);
      if (result.status === 'success') said.clear();
      else {
        const cause = causeOf(result);
        if (!said.has(cause)) {
          said.add(cause);
          diag.warn(`lambda-llm-tracing: spans not delivered to ${endpoint}: ${cause} (said once per cause)`);
        }
      }
      return result;
    },
    shutdown: () => transport.shutdown(),
  };
}

async function withRetries(transport: IExporterTransport, data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
  const deadline = Date.now() + timeoutMillis;
  let backoff = INITIAL_BACKOFF_MS;
  let result = await transport.send(data, timeoutMillis);
  for (let left = MAX_RETRIES; result.status === 'retryable' && left > 0; left--) {
    const jittered = Math.max(Math.min(backoff * (1 + (Math.random() * 2 - 1) * JITTER), MAX_BACKOFF_MS), 0);
    backoff *= BACKOFF_MULTIPLIER;
    const wait = result.retryInMillis ?? jittered;
    const remaining = deadline - Date.now();
    if (wait > remaining) return result;
    await new Promise((resolve) => setTimeout(resolve, wait));
    result = await transport.send(data, remaining);
  }
  return result;
}

/** A short, low-cardinality cause: "connection refused", "timed out waiting for an answer", "HTTP 503 Service Unavailable". */
function causeOf(result: ExportResponse): string {
  const error = result.status === 'success' ? undefined : result.error;
  if (error instanceof OTLPExporterError && error.code)
    return `HTTP ${error.code}${error.message && error.message !== String(error.code) ? ` ${error.message}` : ''}`;
  if (error instanceof TransportError) return error.message;
  return error?.message ?? 'export failed';
}
