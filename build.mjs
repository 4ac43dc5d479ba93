// Bundles each example handler (handlers/*.ts) with esbuild into the folder template.yaml names as its CodeUri:
// build/lambda/<name>/index.mjs (+ .map), our in-process Lambda extension beside it as extension.mjs, and a
// minimal package.json, so `sam build` copies the folder as it is.
//
//   npm run build:lambda [-- --outdir build/lambda] [--quiet]   (node build.mjs …)
//
// ESM for the template's runtime (nodejs24.x: target node24), minified, with source maps (the template sets
// NODE_OPTIONS=--enable-source-maps). `mainFields: module,main` picks the ESM builds of dependencies so unused
// code is tree-shaken; @aws-sdk/* is left out (the Lambda runtime provides it); the createRequire banner lets
// CommonJS dependencies `require()` Node built-ins from inside an ESM bundle.
//
// extension.mjs is src/extension/index.ts (the package's `lambda-llm-tracing/extension`, dist/extension.mjs) on its
// own, built by scripts/extension.mjs: a function's task root has no node_modules, so the template loads it by path
// (NODE_OPTIONS=--import /var/task/extension.mjs) and the wrapper then exports after the response.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { bundleExtension } from './scripts/extension.mjs';

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

/** Matches the template's runtime, nodejs24.x (esbuild 0.28 accepts node24). */
export const TARGET = 'node24';

/** The extension's file name beside each bundle, as template.yaml's NODE_OPTIONS names it under /var/task. */
export const EXTENSION_FILE = 'extension.mjs';

const ESM = { bundle: true, format: 'esm', platform: 'node', target: TARGET, minify: true, legalComments: 'none', logLevel: 'warning' };

const sizeOf = (file) => {
  const code = fs.readFileSync(file);
  return { bytes: code.length, gzipBytes: zlib.gzipSync(code, { level: 9 }).length };
};

/**
 * Builds every bundle and its extension.mjs; returns [{ functionId, name, file, bytes, gzipBytes, extension:
 * { file, bytes, gzipBytes } }].
 */
export async function buildAll({ outdir = DEFAULT_OUTDIR, log = console.log } = {}) {
  const out = path.resolve(ROOT, outdir);
  const results = [];
  // The same few KiB for every function: built once, copied beside each bundle.
  const extensionCode = await bundleExtension();
  for (const [functionId, name] of Object.entries(FUNCTIONS)) {
    const dir = path.join(out, name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await build({
      absWorkingDir: ROOT,
      entryPoints: { index: path.join(ROOT, 'handlers', `${name}.ts`) },
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      ...ESM,
      sourcemap: true,
      sourcesContent: false,
      mainFields: ['module', 'main'],
      external: ['@aws-sdk/*'],
      banner: { js: BANNER },
    });
    const extensionFile = path.join(dir, EXTENSION_FILE);
    fs.writeFileSync(extensionFile, extensionCode);
    // `sam build` runs npm in each CodeUri (nodejs runtimes); a package.json without dependencies makes that a copy.
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: `lambda-llm-tracing-example-${name}`, version: '1.0.0', private: true, type: 'module' }, null, 2) + '\n',
    );
    const file = path.join(dir, 'index.mjs');
    results.push({ functionId, name, file, ...sizeOf(file), extension: { file: extensionFile, ...sizeOf(extensionFile) } });
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
  const rel = (f) => path.relative(process.cwd(), f);
  log(`bundles (${rel(out) || '.'}, ${TARGET}):`);
  for (const r of results) log(`  ${r.functionId.padEnd(17)} ${rel(r.file).padEnd(34)} ${kb(r.bytes)}  gzip ${kb(r.gzipBytes)}`);
  const ext = results[0]?.extension;
  if (ext) {
    const where = path.join(rel(out), '*', EXTENSION_FILE);
    log(
      `  ${'extension'.padEnd(17)} ${where.padEnd(34)} ${kb(ext.bytes)}  gzip ${kb(ext.gzipBytes)}  (beside each bundle; NODE_OPTIONS=--import /var/task/${EXTENSION_FILE})`,
    );
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const USAGE = `usage: npm run build:lambda [-- --outdir build/lambda] [--quiet]
  Bundles each handler of template.yaml with esbuild into <outdir>/<name>/index.mjs, with extension.mjs beside it.
  --outdir DIR   where the bundles go (default ${DEFAULT_OUTDIR}, what template.yaml's CodeUri names)
  --quiet        print nothing but errors`;
  let values;
  try {
    ({ values } = parseArgs({ options: { outdir: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`npm run build:lambda: ${err.message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '')}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  try {
    await buildAll({ outdir: values.outdir ?? DEFAULT_OUTDIR, log: values.quiet ? () => {} : console.log });
  } catch (err) {
    // esbuild has printed the errors already.
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
