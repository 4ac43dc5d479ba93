/** Where `npm start` sends spans and model calls: local endpoints, or the ones the environment names. */
import { startOpenAIServer } from '../openai-server/index.ts';
import type { OpenAIServer } from '../openai-server/index.ts';
import { startOtlpReceiver } from '../otlp/index.ts';
import type { OtlpReceiver } from '../otlp/index.ts';
import { probeOtlp, tracesUrlFromEnv } from '../otlp/probe.ts';
import type { ProbeResult } from '../otlp/probe.ts';
import { startSqsEmulator } from '../sqs-emulator/index.ts';
import type { SqsEmulator } from '../sqs-emulator/index.ts';

export const QUEUE = 'jobs';

export interface Endpoints {
  /** The functions' environment: where their spans and model calls go. */
  env: Record<string, string>;
  receiver?: OtlpReceiver;
  model?: OpenAIServer;
  sqs?: SqsEmulator;
  /** The collector from OTEL_EXPORTER_OTLP_ENDPOINT, when set, and whether it took an export before the run. */
  external?: { endpoint: string; probe: ProbeResult };
}

export async function closeEndpoints(e: Endpoints): Promise<void> {
  await Promise.allSettled([e.receiver?.close(), e.model?.close(), e.sqs?.close()]);
}

/** Starts what is needed on 127.0.0.1 and says, one line each, where everything goes. Fills `e` as it goes. */
export async function startEndpoints(e: Endpoints, say: (line?: string) => void): Promise<void> {
  const externalOtlp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const externalKey = process.env.OPENAI_API_KEY?.trim();
  if (externalOtlp) {
    e.env.OTEL_EXPORTER_OTLP_ENDPOINT = externalOtlp;
    if (process.env.OTEL_EXPORTER_OTLP_HEADERS) e.env.OTEL_EXPORTER_OTLP_HEADERS = process.env.OTEL_EXPORTER_OTLP_HEADERS;
    say(`spans     → ${externalOtlp} (OTEL_EXPORTER_OTLP_ENDPOINT is set: no local receiver, so the traces cannot be shown here)`);
    const probe = await probeOtlp(tracesUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: externalOtlp }), 2000, otlpHeaders());
    e.external = { endpoint: externalOtlp, probe };
    if (!probe.ok) say(`✗ spans cannot be delivered to ${probe.url}: ${probe.cause}`);
  } else {
    e.receiver = await startOtlpReceiver({ host: '127.0.0.1' });
    e.env.OTEL_EXPORTER_OTLP_ENDPOINT = e.receiver.url;
    say(`spans     → local OTLP receiver ${e.receiver.url}`);
  }
  if (externalKey) {
    e.env.OPENAI_API_KEY = externalKey;
    if (process.env.OPENAI_BASE_URL) e.env.OPENAI_BASE_URL = process.env.OPENAI_BASE_URL;
    say(`model     → ${process.env.OPENAI_BASE_URL || 'https://api.openai.com/v1'} (OPENAI_API_KEY is set: real model calls, billed to that key)`);
  } else {
    e.model = await startOpenAIServer({ host: '127.0.0.1', chunkDelayMs: 15 });
    e.env.OPENAI_API_KEY = 'sk-local-not-a-real-key';
    e.env.OPENAI_BASE_URL = e.model.url;
    say(`model     → local OpenAI-compatible server ${e.model.url} (deterministic answers)`);
  }
  e.sqs = await startSqsEmulator({ host: '127.0.0.1', queues: [QUEUE] });
  say(`queue     → SQS emulator ${e.sqs.url} (queue ${QUEUE})`);
  say(`export    → after the response: template.yaml loads extension.mjs (NODE_OPTIONS=--import), the sandbox stays thawed until the spans are out\n`);
}

/** After the run, the last word on an external collector: delivered there, or why not (never a false success). */
export async function reportExternal(external: NonNullable<Endpoints['external']>, say: (line?: string) => void): Promise<boolean> {
  const after = await probeOtlp(external.probe.url, 2000, otlpHeaders());
  if (external.probe.ok && after.ok) {
    say(`\nSpans were sent to ${external.endpoint} (its ${after.url} took an export: ${after.cause}); look for them there.`);
    return true;
  }
  const failed = after.ok ? external.probe : after;
  say(`\n✗ Spans were not delivered to ${failed.url}: ${failed.cause}. Nothing of this run reached a collector.`);
  return false;
}

/** OTEL_EXPORTER_OTLP_HEADERS (`k=v,k2=v2`), so the probe is let in where the exporters are. */
function otlpHeaders(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (process.env.OTEL_EXPORTER_OTLP_HEADERS ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i > 0) out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  return out;
}
