// The in-process Lambda extension as users load it: src/extension/index.ts bundled into one self-contained ES module
// (node:http is its only import), the same bytes in the package (dist/extension.mjs), beside each example bundle
// (build.mjs) and in the layer (scripts/build-layer.mjs). It is loaded on every cold start, so it stays small:
// minified, no source map, no createRequire banner (it needs no `require`).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The package runs on nodejs22.x and nodejs24.x: syntax both accept. */
export const EXTENSION_TARGET = 'node22';

/** Bundles the extension; returns its code. The first line says what the file is, for whoever finds it in a zip. */
export async function bundleExtension() {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const built = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'src', 'extension', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: EXTENSION_TARGET,
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: `// lambda-llm-tracing ${version} extension (Apache-2.0). Load it with NODE_OPTIONS=--import <path to this file>.` },
    write: false,
    outfile: 'extension.mjs',
  });
  return built.outputFiles[0].contents;
}

/** Writes the bundled extension to `file` (folders created); returns the file. */
export async function writeExtension(file) {
  const code = await bundleExtension();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, code);
  return file;
}
