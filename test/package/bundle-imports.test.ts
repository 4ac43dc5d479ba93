/**
 * What a bundle of ours imports from Node at module evaluation: on Node 22+ each static ES import of a built-in
 * builds its module facade (for `node:http`, undici: nodejs/node#57649), so the library loads what it needs through
 * `process.getBuiltinModule` when it needs it. esbuild drops an unused import from a side-effect-free package (so
 * `@opentelemetry/core`'s `util` import does not reach a bundle); this holds the rest to none.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const src = new URL('../../src/index.ts', import.meta.url).pathname;
const extension = new URL('../../src/extension/index.ts', import.meta.url).pathname;

async function staticImports(stdin: string): Promise<string[]> {
  const result = await build({
    stdin: { contents: stdin, loader: 'ts', resolveDir: '/' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  return [...new Set(imports.filter((i) => i.external && i.kind === 'import-statement').map((i) => i.path))].sort();
}

describe('static imports of Node built-ins in a bundle', () => {
  it('every export used: none (no util, http, fs, path, async_hooks or events)', async () => {
    const names = 'withLlmTracing, traceOpenAI, traceAnthropic, traceBedrock, traceStep, traceRecord, injectTraceContext, forceFlush';
    const imports = await staticImports(`import { ${names} } from ${JSON.stringify(src)};\nexport const used = [${names}];\n`);
    expect(imports).toEqual([]);
  });

  it('the extension: none', async () => {
    expect(await staticImports(`import ${JSON.stringify(extension)};\n`)).toEqual([]);
  });
});
