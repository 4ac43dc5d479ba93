/**
 * What each model instrumentation adds to a handler bundle (esbuild, minified, as build.mjs bundles): the wrapper
 * alone, then with `traceOpenAI`, `traceAnthropic`, `traceBedrock`, and together. A bundle that does not import one
 * pays nothing for it (test/anthropic/anthropic-bundle.test.ts and test/bedrock/bundle.test.ts check that); the SDKs themselves are the caller's and not counted.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';
import { kib, markdownTable } from './report.ts';

const SETS: [label: string, names: string[]][] = [
  ['withLlmTracing', ['withLlmTracing']],
  ['+ traceOpenAI', ['withLlmTracing', 'traceOpenAI']],
  ['+ traceAnthropic', ['withLlmTracing', 'traceAnthropic']],
  ['+ traceBedrock', ['withLlmTracing', 'traceBedrock']],
  ['+ traceOpenAI + traceAnthropic', ['withLlmTracing', 'traceOpenAI', 'traceAnthropic']],
  ['+ all three', ['withLlmTracing', 'traceOpenAI', 'traceAnthropic', 'traceBedrock']],
];

async function sizeWith(root: string, names: string[]): Promise<{ minBytes: number; gzipBytes: number }> {
  const entry = path.join(root, 'src', 'index.ts');
  const result = await build({
    stdin: { contents: `export { ${names.join(', ')} } from ${JSON.stringify(entry)};`, loader: 'ts', resolveDir: root },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    legalComments: 'none',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles[0]!.contents;
  return { minBytes: code.length, gzipBytes: zlib.gzipSync(code, { level: 9 }).length };
}

/** The markdown table of bundle sizes, each with what it adds to the wrapper alone. */
export async function instrumentationSizes(root: string): Promise<string> {
  const sizes = await Promise.all(SETS.map(([, names]) => sizeWith(root, names)));
  const base = sizes[0]!;
  const rows = SETS.map(([label], i) => {
    const s = sizes[i]!;
    const added = i === 0 ? '' : ` (+${kib(s.minBytes - base.minBytes)} / +${kib(s.gzipBytes - base.gzipBytes)})`;
    return [label, `${kib(s.minBytes)} / ${kib(s.gzipBytes)}${added}`];
  });
  return markdownTable(['Bundle exports', 'Minified / gzip, KiB (added to the wrapper alone)'], rows);
}
