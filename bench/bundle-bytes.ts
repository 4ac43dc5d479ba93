/**
 * Where the bytes of the fresh-process app bundles go (issue #10): builds bench/fresh.ts's apps (bare, ours,
 * `withLlmTracing`-only) and prints, minified, what each package and each of our src files adds over bare; with
 * `--import-runs N`, also the median time to import each bundle in N fresh Node processes (interleaved).
 *
 *   node bench/bundle-bytes.ts [--files N] [--import-runs N]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { buildFreshApps, packageBytes } from './fresh.ts';
import { kib, stat } from './report.ts';

/** Minified bytes per input file of our src/ in `metafile`'s bundle. */
function srcFiles(metafile: Metafile): { file: string; bytes: number }[] {
  const out: { file: string; bytes: number }[] = [];
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (!input.includes('node_modules/') && /(^|\/)src\//.test(input)) out.push({ file: input.slice(input.lastIndexOf('src/')), bytes: bytesInOutput });
    }
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}

/** Milliseconds from just before `import(bundle)` to just after, in a fresh process (no invocation). */
function importMs(bundle: string): number {
  const code = `const t=performance.now();await import(${JSON.stringify(bundle)});console.log(performance.now()-t)`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return Number(r.stdout.trim());
}

const arg = (name: string, fallback: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const limit = arg('--files', 40);
const runs = arg('--import-runs', 0);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-bytes-'));
try {
  const apps = await buildFreshApps(dir);
  const bare = apps.sizes.bare;
  for (const key of ['ours', 'wrapperOnly'] as const) {
    const z = apps.sizes[key];
    const label = key === 'ours' ? 'app (traceOpenAI + withLlmTracing)' : 'withLlmTracing only';
    console.log(
      `\n${label}: ${kib(z.minBytes)} / ${kib(z.gzipBytes)} KiB, +${kib(z.minBytes - bare.minBytes)} min / +${kib(z.gzipBytes - bare.gzipBytes)} gzip over bare`,
    );
    for (const p of packageBytes(z.metafile, bare.metafile)) console.log(`  ${kib(p.bytes).padStart(6)}  ${p.name}`);
    console.log('  our src files, bytes:');
    for (const f of srcFiles(z.metafile).slice(0, limit)) console.log(`  ${String(f.bytes).padStart(6)}  ${f.file}`);
  }
  if (runs > 0) {
    const keys = ['bare', 'ours', 'wrapperOnly'] as const;
    const times: Record<string, number[]> = { bare: [], ours: [], wrapperOnly: [] };
    for (let i = 0; i < runs; i++)
      for (let j = 0; j < keys.length; j++) times[keys[(i + j) % keys.length]!]!.push(importMs(apps.bundles[keys[(i + j) % keys.length]!]));
    console.log(`\nimport of the bundle in a fresh process, ms (median [p25–p75] of ${runs}):`);
    for (const k of keys) {
      const s = stat(times[k])!;
      console.log(`  ${k.padEnd(12)} ${s.median.toFixed(1)} [${s.p25.toFixed(1)}–${s.p75.toFixed(1)}]`);
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
