/**
 * What each model instrumentation costs a cold start: per SDK, a fresh Node 24 process imports a minified ESM
 * bundle (a module-scope client, a `withLlmTracing` handler) and serves one invocation that makes one model call
 * to the local model server, its spans exported before it returns; the same app with the client through
 * `traceOpenAI` / `traceAnthropic` / `traceBedrock` against it untraced, interleaved, in one run. The difference is
 * what the trace function adds: its code loaded, the model and attempt spans made and exported.
 */
import path from 'node:path';
import { startAnthropicServer } from '../tools/anthropic-server/index.ts';
import { startBedrockServer } from '../tools/bedrock-server/index.ts';
import type { OtlpReceiver } from '../tools/otlp/index.ts';
import { startOpenAIServer } from '../tools/openai-server/index.ts';
import { runProbe } from './fresh.ts';
import { cell, kib, markdownTable, stat } from './report.ts';
import { BENCH, esm } from './setup.ts';

const PROVIDERS = [
  { id: 'openai', label: '`traceOpenAI` (openai 6)', alias: { openai: 'openai6' } as Record<string, string> },
  { id: 'anthropic', label: '`traceAnthropic` (@anthropic-ai/sdk 1.x)', alias: {} as Record<string, string> },
  { id: 'bedrock', label: '`traceBedrock` (client-bedrock-runtime, HTTP/2)', alias: {} as Record<string, string> },
] as const;
type ProviderId = (typeof PROVIDERS)[number]['id'];
type Variant = 'untraced' | 'traced';

interface App {
  file: string;
  minBytes: number;
  gzipBytes: number;
}

interface Samples {
  totalMs: number[];
  spans: number[];
  failures: string[];
}

export type ProviderColdStarts = Record<ProviderId, Record<Variant, Samples & { app: App }>>;

async function buildApps(out: string): Promise<Record<ProviderId, Record<Variant, App>>> {
  const apps = {} as Record<ProviderId, Record<Variant, App>>;
  for (const p of PROVIDERS) {
    const pair = {} as Record<Variant, App>;
    for (const v of ['untraced', 'traced'] as const) {
      const file = path.join(out, 'provider-cold', `${p.id}-${v}.mjs`);
      const built = await esm(path.join(BENCH, 'handlers', `provider-${p.id}.ts`), file, {
        alias: p.alias,
        external: [],
        define: { BENCH_TRACED: v === 'traced' ? 'true' : 'false' },
      });
      pair[v] = { file, minBytes: built.minBytes, gzipBytes: built.gzipBytes };
    }
    apps[p.id] = pair;
  }
  return apps;
}

function probe(bundle: string, env: Record<string, string>): Promise<{ totalMs: number; ok: boolean }> {
  return runProbe([path.join(BENCH, 'fresh-probe.mjs'), bundle], { PATH: process.env.PATH ?? '', ...env }, 'provider probe');
}

/** `rounds` fresh processes of each provider × variant, the order rotating each round. */
export async function providerColdStarts(out: string, rounds: number, receiver: OtlpReceiver, log: (s: string) => void): Promise<ProviderColdStarts> {
  const apps = await buildApps(out);
  const servers = { openai: await startOpenAIServer(), anthropic: await startAnthropicServer(), bedrock: await startBedrockServer() };
  const urls: Record<ProviderId, string> = {
    openai: servers.openai.url.replace(/\/v1\/?$/, ''),
    anthropic: servers.anthropic.url,
    bedrock: servers.bedrock.url,
  };
  const result = {} as ProviderColdStarts;
  for (const p of PROVIDERS) {
    result[p.id] = {
      untraced: { app: apps[p.id].untraced, totalMs: [], spans: [], failures: [] },
      traced: { app: apps[p.id].traced, totalMs: [], spans: [], failures: [] },
    };
  }
  const runs = PROVIDERS.flatMap((p) => (['untraced', 'traced'] as const).map((v) => [p.id, v] as const));
  try {
    for (let round = 0; round < rounds; round++) {
      for (let j = 0; j < runs.length; j++) {
        const [id, v] = runs[(round + j) % runs.length]!;
        const service = `bench-provider-${id}-${v}-${round}`;
        const s = result[id][v];
        try {
          const r = await probe(s.app.file, {
            AWS_LAMBDA_FUNCTION_NAME: service,
            AWS_REGION: 'us-east-1',
            OTEL_SERVICE_NAME: service,
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
            BENCH_MODEL_URL: urls[id],
          });
          if (!r.ok) s.failures.push(`round ${round}: handler did not answer 200`);
          s.totalMs.push(r.totalMs);
          s.spans.push(receiver.spans.filter((x) => x.resource['service.name'] === service).length);
        } catch (error) {
          s.failures.push(String(error));
        }
      }
    }
  } finally {
    await Promise.all([servers.openai.close(), servers.anthropic.close(), servers.bedrock.close()]);
  }
  log(`  per-provider cold start: ${rounds} rounds × ${runs.length} done`);
  return result;
}

/** One row per provider: the untraced and traced app, +ms and ×ratio of the traced one against the untraced. */
export function providerColdTable(samples: ProviderColdStarts): string {
  const rows = PROVIDERS.map((p) => {
    const u = samples[p.id].untraced;
    const t = samples[p.id].traced;
    const su = stat(u.totalMs);
    const st = stat(t.totalMs);
    const diff = su && st ? st.median - su.median : undefined;
    const added = diff === undefined ? 'n/a' : `${diff < 0 ? '−' : '+'}${Math.abs(diff).toFixed(1)}`;
    const spans = (s: Samples) => (s.spans.reduce((a, b) => a + b, 0) / Math.max(1, s.spans.length)).toFixed(2);
    const size = `+${kib(t.app.minBytes - u.app.minBytes)} / +${kib(t.app.gzipBytes - u.app.gzipBytes)}`;
    const failed = u.failures.length + t.failures.length;
    return [p.label, cell(su), `${cell(st, su)} (${added})`, size, `${spans(u)} → ${spans(t)}`, failed ? `${failed} failed` : ''];
  });
  return markdownTable(
    [
      'Fresh process, one model call',
      'wrapped handler, client untraced: start → response, ms',
      'client traced, ms',
      'bundle added, min / gzip KiB',
      'spans per process',
      '',
    ],
    rows,
  );
}
