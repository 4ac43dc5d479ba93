/**
 * What a bundle of ours imports from Node at module evaluation: on Node 22+ each static ES import of a built-in
 * builds its module facade (for `node:http`, undici: nodejs/node#57649), so the library loads what it needs through
 * `process.getBuiltinModule` when it needs it. esbuild drops an unused import from a side-effect-free package (so
 * `@opentelemetry/core`'s `util` import does not reach a bundle); this holds the rest to none.
 */
import { describe, expect, it } from 'vitest';
import { bundleCode, usingExports } from '../support/bundle.ts';

async function staticImports(code: string): Promise<string[]> {
  const result = await bundleCode(code);
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  return [...new Set(imports.filter((i) => i.external && i.kind === 'import-statement').map((i) => i.path))].sort();
}

describe('static imports of Node built-ins in a bundle', () => {
  it('every export used: none (no util, http, fs, path, async_hooks or events)', async () => {
    const names = ['withLlmTracing', 'traceOpenAI', 'traceAnthropic', 'traceBedrock', 'traceStep', 'traceRecord', 'injectTraceContext', 'forceFlush'];
    const imports = await staticImports(usingExports(names));
    expect(imports).toEqual([]);
  });

  it('the extension: none', async () => {
    expect(await staticImports("import './src/extension/index.ts';\n")).toEqual([]);
  });
});
