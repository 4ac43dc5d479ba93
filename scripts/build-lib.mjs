// Builds the library for npm: ESM (the primary build) and CommonJS, each with its type declarations, so
// `import` and `require` both resolve through package.json `exports` with the right types.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
for (const [project, type] of [['tsconfig.build.json', 'module'], ['tsconfig.build-cjs.json', 'commonjs']]) {
  execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  const dir = type === 'module' ? 'dist/esm' : 'dist/cjs';
  mkdirSync(dir, { recursive: true });
  // Each folder says its own module type, so Node reads `.js` right whatever the root package.json says.
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + '\n');
}
console.log('built dist/esm and dist/cjs');
