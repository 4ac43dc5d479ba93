import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

const root = new URL('../../', import.meta.url).pathname;

/**
 * A task root as build.mjs makes one: the handler bundled to index.mjs (ESM, module entry points first) and, when
 * asked, our extension beside it as extension.mjs. Returns the folder and a cleanup.
 */
export async function bundleFunction(entry: string, opts: { extension?: boolean } = {}): Promise<{ dir: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'llt-fn-'));
  const common: BuildOptions = { bundle: true, platform: 'node', format: 'esm', target: 'node22', mainFields: ['module', 'main'], logLevel: 'silent' };
  await build({ ...common, entryPoints: [join(root, entry)], outfile: join(dir, 'index.mjs'), banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" } });
  if (opts.extension) await build({ ...common, entryPoints: [join(root, 'src/extension.ts')], outfile: join(dir, 'extension.mjs') });
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
