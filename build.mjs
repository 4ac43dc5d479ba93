// Bundles each example handler (handlers/*.ts) with esbuild into the folder template.yaml names as its CodeUri:
// build/lambda/<name>/index.mjs (+ .map) and a minimal package.json, so `sam build` copies it as it is.
//
//   node build.mjs [--outdir build/lambda] [--quiet]
//
// ESM for Node 22+ (nodejs22.x and nodejs24.x), minified, with source maps (the template sets
// NODE_OPTIONS=--enable-source-maps). `mainFields: module,main` picks the ESM builds of dependencies so unused
// code is tree-shaken; @aws-sdk/* is left out (the Lambda runtime provides it); the createRequire banner lets
// CommonJS dependencies `require()` Node built-ins from inside an ESM bundle.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/** Template logical id → bundle name: handlers/<name>.ts is bundled into <outdir>/<name>/index.mjs. */
export const FUNCTIONS = {
  ApiFunction: 'api',
  StreamFunction: 'stream',
  ProducerFunction: 'producer',
  WorkerFunction: 'worker',
};

export const DEFAULT_OUTDIR = 'build/lambda';

const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Builds every bundle; returns [{ functionId, name, file, bytes, gzipBytes }]. */
export async function buildAll({ outdir = DEFAULT_OUTDIR, log = console.log } = {}) {
  const out = path.resolve(ROOT, outdir);
  const results = [];
  for (const [functionId, name] of Object.entries(FUNCTIONS)) {
    const dir = path.join(out, name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await build({
      absWorkingDir: ROOT,
      entryPoints: { index: path.join(ROOT, 'handlers', `${name}.ts`) },
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      mainFields: ['module', 'main'],
      external: ['@aws-sdk/*'],
      banner: { js: BANNER },
      legalComments: 'none',
      logLevel: 'warning',
    });
    // `sam build` runs npm in each CodeUri (nodejs runtimes); a package.json without dependencies makes that a copy.
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: `lambda-llm-tracing-example-${name}`, version: '1.0.0', private: true, type: 'module' }, null, 2) + '\n',
    );
    const file = path.join(dir, 'index.mjs');
    const code = fs.readFileSync(file);
    results.push({ functionId, name, file, bytes: code.length, gzipBytes: zlib.gzipSync(code, { level: 9 }).length });
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
  log(`bundles (${path.relative(process.cwd(), out) || '.'}):`);
  for (const r of results) {
    log(`  ${r.functionId.padEnd(17)} ${path.relative(process.cwd(), r.file).padEnd(34)} ${kb(r.bytes)}  gzip ${kb(r.gzipBytes)}`);
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, quiet: { type: 'boolean' } } });
  try {
    await buildAll({ outdir: values.outdir ?? DEFAULT_OUTDIR, log: values.quiet ? () => {} : console.log });
  } catch (err) {
    // esbuild has printed the errors already.
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
