// Builds the library for npm: ESM (the primary build) and CommonJS, each with its type declarations, so
// `import` and `require` both resolve through package.json `exports` with the right types; and the extension as
// one self-contained file, dist/extension.mjs (`lambda-llm-tracing/extension`), which users copy beside a bundle.
// Runs as `prepare`, so `npm pack` and `npm install <git url>` ship a built package.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { writeExtension } from './extension.mjs';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
for (const [project, type] of [
  ['tsconfig.build.json', 'module'],
  ['tsconfig.build-cjs.json', 'commonjs'],
]) {
  execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  const dir = type === 'module' ? 'dist/esm' : 'dist/cjs';
  mkdirSync(dir, { recursive: true });
  // Each folder says its own module type, so Node reads `.js` right whatever the root package.json says.
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + '\n');
}
await writeExtension('dist/extension.mjs');
console.log('built dist/esm, dist/cjs and dist/extension.mjs');
