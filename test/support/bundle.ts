/** Bundles fixture handlers with esbuild the way build.mjs bundles ours: ESM, module entry points first. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type BuildOptions, type BuildResult } from 'esbuild';

const root = new URL('../../', import.meta.url).pathname;
const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
const COMMON: BuildOptions = { bundle: true, platform: 'node', format: 'esm', target: 'node22', mainFields: ['module', 'main'], logLevel: 'silent' };

/** Returns the code directory; the bundle is `index.mjs` in it (handler `index.handler`). */
export async function bundleFixture(entry: string, prefix = 'llt-fixture-'): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  await build({ ...COMMON, entryPoints: [entry], outfile: path.join(dir, 'index.mjs'), minify: true, banner: { js: BANNER } });
  return dir;
}

/**
 * A task root as build.mjs makes one: the handler (path relative to the repository) bundled to index.mjs and,
 * when asked, our extension beside it as extension.mjs. Returns the folder and a cleanup.
 */
export async function bundleFunction(entry: string, opts: { extension?: boolean } = {}): Promise<{ dir: string; cleanup: () => void }> {
  const dir = await bundleFixture(path.join(root, entry), 'llt-fn-');
  if (opts.extension) await build({ ...COMMON, entryPoints: [path.join(root, 'src/extension/index.ts')], outfile: path.join(dir, 'extension.mjs') });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A minified ESM bundle of `code` (imports resolved from the repository root), in memory, with its metafile. */
export function bundleCode(code: string): Promise<BuildResult<{ write: false; metafile: true }>> {
  return build({ ...COMMON, stdin: { contents: code, loader: 'ts', resolveDir: root }, minify: true, write: false, metafile: true });
}

/** Module code that imports these exports of the library and keeps them used, so tree-shaking keeps exactly them. */
export function usingExports(names: string[]): string {
  return `import { ${names.join(', ')} } from './src/index.ts';\nexport const used = [${names.join(', ')}];\n`;
}
