/**
 * The fresh-process figure: in a new Node 24 process, import a minified ESM bundle of a small app (a module-scope
 * `traceOpenAI` client, a `withLlmTracing` handler that answers without calling the model) and serve one
 * invocation whose spans are exported before it returns; against the same app without tracing, and with our
 * extension loaded first (`--import`). No runtime client, no freeze: what the library itself costs a cold start.
 */
import { spawn } from 'node:child_process';
import type { Metafile } from 'esbuild';
import path from 'node:path';
import type { OtlpReceiver } from '../tools/otlp/index.ts';
import { cell, kib, markdownTable, stat } from './report.ts';
import { BENCH, esm, extensionEntry, sizeOf } from './setup.ts';

export type FreshKey = 'bare' | 'ours' | 'ours-ext';

export interface FreshApps {
  dir: string;
  bundles: Record<'bare' | 'ours' | 'wrapperOnly', string>;
  extension: string;
  sizes: Record<'bare' | 'ours' | 'wrapperOnly' | 'extension', { minBytes: number; gzipBytes: number; metafile: Metafile }> & {
    oursExt: { minBytes: number; gzipBytes: number };
  };
}

export interface FreshSamples {
  importedAt: number[];
  firstMs: number[];
  totalMs: number[];
  spans: number[];
  undiciLoaded: number;
  failures: string[];
}

/** The three app bundles (openai 6, as every other row) and the extension bundle, built as build.mjs builds them. */
export async function buildFreshApps(out: string): Promise<FreshApps> {
  const dir = path.join(out, 'fresh');
  const h = (name: string) => path.join(BENCH, 'handlers', name);
  const openai6 = { alias: { openai: 'openai6' } };
  const bundles = { bare: path.join(dir, 'bare.mjs'), ours: path.join(dir, 'ours.mjs'), wrapperOnly: path.join(dir, 'wrapper-only.mjs') };
  const extension = path.join(dir, 'extension.mjs');
  const sizes = {
    bare: await esm(h('fresh-bare.ts'), bundles.bare, openai6),
    ours: await esm(h('fresh-ours.ts'), bundles.ours, openai6),
    wrapperOnly: await esm(h('fresh-wrapper-only.ts'), bundles.wrapperOnly, openai6),
    extension: await esm(extensionEntry(), extension),
  };
  return { dir, bundles, extension, sizes: { ...sizes, oursExt: sizeOf([bundles.ours, extension]) } };
}

interface ProbeResult {
  importedAt: number;
  firstMs: number;
  totalMs: number;
  ok: boolean;
  undici: boolean;
}

function probe(apps: FreshApps, key: FreshKey, receiver: OtlpReceiver, service: string): Promise<ProbeResult> {
  const bundle = key === 'bare' ? apps.bundles.bare : apps.bundles.ours;
  const args = [...(key === 'ours-ext' ? ['--import', apps.extension] : []), path.join(BENCH, 'fresh-probe.mjs'), bundle];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_LAMBDA_FUNCTION_NAME: service,
    AWS_REGION: 'us-east-1',
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OPENAI_API_KEY: 'sk-bench-not-a-key',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  };
  return runProbe<ProbeResult>(args, env, `fresh probe ${key}`);
}

/** Runs `node args…` with exactly `env` and parses the last line it prints as JSON. */
export function runProbe<T>(args: string[], env: Record<string, string>, label: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T);
      } catch {
        reject(new Error(`${label} exited ${code}: ${stderr.slice(0, 300)}`));
      }
    });
  });
}

/** `rounds` fresh processes of each variant, interleaved (the order rotates each round). */
export async function freshColdStarts(
  apps: FreshApps,
  rounds: number,
  receiver: OtlpReceiver,
  log: (s: string) => void,
): Promise<Record<FreshKey, FreshSamples>> {
  const keys: FreshKey[] = ['bare', 'ours', 'ours-ext'];
  const out = Object.fromEntries(
    keys.map((k) => [k, { importedAt: [], firstMs: [], totalMs: [], spans: [], undiciLoaded: 0, failures: [] }]),
  ) as unknown as Record<FreshKey, FreshSamples>;
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(round + j) % keys.length]!;
      const service = `bench-fresh-${key}-${round}`;
      const s = out[key];
      try {
        const r = await probe(apps, key, receiver, service);
        if (!r.ok) s.failures.push(`round ${round}: handler did not answer 200`);
        s.importedAt.push(r.importedAt);
        s.firstMs.push(r.firstMs);
        s.totalMs.push(r.totalMs);
        if (r.undici) s.undiciLoaded++;
        s.spans.push(receiver.spans.filter((x) => x.resource['service.name'] === service).length);
      } catch (error) {
        s.failures.push(String(error));
      }
    }
  }
  log(`  fresh process: ${rounds} rounds × ${keys.length} done`);
  return out;
}

/** The fresh-process table: medians [p25–p75], +ms and ×ratio against bare from the same run. */
export function freshTable(samples: Record<FreshKey, FreshSamples>, apps: FreshApps): string {
  const keys: FreshKey[] = ['bare', 'ours', 'ours-ext'];
  const fig = (k: FreshKey, pick: (s: FreshSamples) => number[], digits: number) => {
    const s = stat(pick(samples[k]));
    const b = stat(pick(samples.bare));
    if (k === 'bare' || !s || !b) return cell(s, undefined, { digits });
    // A ratio against a bare figure under a millisecond says nothing; the difference does.
    return `${cell(s, b.median >= 1 ? b : undefined, { digits })} (+${(s.median - b.median).toFixed(1)})`;
  };
  const size = (k: FreshKey) => {
    const z = apps.sizes[k === 'ours-ext' ? 'oursExt' : k];
    const b = apps.sizes.bare;
    return `${kib(z.minBytes)} / ${kib(z.gzipBytes)}${k === 'bare' ? '' : ` (+${kib(z.minBytes - b.minBytes)} min)`}`;
  };
  const rows = [
    ['Process start → bundle imported, ms', ...keys.map((k) => fig(k, (s) => s.importedAt, 1))],
    ['First invocation, export included, ms', ...keys.map((k) => fig(k, (s) => s.firstMs, 1))],
    ['Cold start: start → first response, ms', ...keys.map((k) => fig(k, (s) => s.totalMs, 1))],
    ['Code size, minified / gzip, KiB', ...keys.map(size)],
    ['Spans received per process', ...keys.map((k) => (samples[k].spans.reduce((a, b) => a + b, 0) / Math.max(1, samples[k].spans.length)).toFixed(2))],
    ['Processes that loaded undici', ...keys.map((k) => `${samples[k].undiciLoaded}/${samples[k].totalMs.length}`)],
  ];
  const w = apps.sizes.wrapperOnly;
  const note = `\`withLlmTracing\`-only bundle (client untraced): ${kib(w.minBytes)} / ${kib(w.gzipBytes)} KiB (+${kib(w.minBytes - apps.sizes.bare.minBytes)} KiB minified over bare).`;
  return `${markdownTable(['Fresh Node process', 'bare app', 'ours (export before response)', 'ours + extension (--import)'], rows)}\n\n${note}`;
}

/** Minified bytes each package (or our src/) contributes to `metafile`'s bundle beyond what `base` has. */
export function packageBytes(metafile: Metafile, base: Metafile): { name: string; bytes: number }[] {
  const per = (m: Metafile) => {
    const sums = new Map<string, number>();
    for (const output of Object.values(m.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const name = packageOf(input);
        sums.set(name, (sums.get(name) ?? 0) + bytesInOutput);
      }
    }
    return sums;
  };
  const ours = per(metafile);
  const bare = per(base);
  return [...ours.entries()]
    .map(([name, bytes]) => ({ name, bytes: bytes - (bare.get(name) ?? 0) }))
    .filter((p) => Math.abs(p.bytes) >= 64)
    .sort((a, b) => b.bytes - a.bytes);
}

function packageOf(input: string): string {
  const nm = input.lastIndexOf('node_modules/');
  if (nm < 0) return input.startsWith('src/') || input.includes('/src/') ? 'lambda-llm-tracing (src/)' : input;
  const rest = input.slice(nm + 'node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}
