// build.mjs: every function of template.yaml gets its bundle where the template says (CodeUri + Handler) with our
// extension beside it (extension.mjs, what NODE_OPTIONS=--import loads), the sizes are reported, and each ESM
// file loads under Node 24 on its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveNodeBinary } from '../../tools/runner/client.ts';
import { loadFunctionConfig, parseTemplate } from '../../tools/runner/template.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEMPLATE = path.join(ROOT, 'template.yaml');
const NODE = resolveNodeBinary();

const template = parseTemplate(fs.readFileSync(TEMPLATE, 'utf8')) as { Resources: Record<string, { Type: string }> };
const functionIds = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === 'AWS::Serverless::Function')
  .map(([id]) => id);

/** The file the runtime loads for `Handler: <module>.<export>` in `dir` (index.mjs before .js/.cjs, as Node runtimes try). */
function handlerFile(dir: string, handler: string): string | undefined {
  const module = handler.slice(0, handler.lastIndexOf('.'));
  return ['.mjs', '.js', '.cjs'].map((ext) => path.join(dir, module + ext)).find((f) => fs.existsSync(f));
}

let stdout = '';

beforeAll(() => {
  const p = spawnSync(NODE, [path.join(ROOT, 'build.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(p.status, p.stderr).toBe(0);
  stdout = p.stdout;
}, 70_000);

describe('build.mjs', () => {
  it('the template has the four example functions', () => {
    expect(functionIds.sort()).toEqual(['ApiFunction', 'ProducerFunction', 'StreamFunction', 'WorkerFunction']);
  });

  it.each(functionIds)('%s: bundle at CodeUri/Handler, ESM with the createRequire banner, source map, package.json, size reported', (id) => {
    const fn = loadFunctionConfig({ template: TEMPLATE, functionId: id });
    const file = handlerFile(fn.codeDir, fn.handler);
    expect(file, `${id}: no bundle for Handler ${fn.handler} in ${fn.codeDir}`).toBeDefined();
    expect(path.basename(file!)).toBe('index.mjs');
    const code = fs.readFileSync(file!, 'utf8');
    expect(code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    const map = JSON.parse(fs.readFileSync(file + '.map', 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith(`handlers/${path.basename(fn.codeDir)}.ts`))).toBe(true);
    // Minified: few, long lines.
    expect(code.split('\n').length).toBeLessThan(50);
    expect(JSON.parse(fs.readFileSync(path.join(fn.codeDir, 'package.json'), 'utf8'))).toMatchObject({ type: 'module' });
    // Reported: "<Id>  <file>  <size> KiB  gzip <size> KiB", matching the file on disk.
    const line = stdout.split('\n').find((l) => l.trim().startsWith(id + ' '));
    expect(line, stdout).toBeDefined();
    const [raw, gz] = [...line!.matchAll(/([\d.]+) KiB/g)].map((m) => Number(m[1]));
    // Printed to one decimal: within half a tenth (rounding), plus float slack.
    expect(Math.abs(raw! - fs.statSync(file!).size / 1024)).toBeLessThanOrEqual(0.0501);
    expect(line).toMatch(/gzip\s+[\d.]+ KiB/);
    expect(gz).toBeGreaterThan(0);
    expect(gz).toBeLessThan(raw!);
  });

  it.each(functionIds)('%s: extension.mjs beside the bundle: tiny, node built-ins only, the same file everywhere, size reported', (id) => {
    const fn = loadFunctionConfig({ template: TEMPLATE, functionId: id });
    const file = path.join(fn.codeDir, 'extension.mjs');
    expect(fs.existsSync(file), file).toBe(true);
    const code = fs.readFileSync(file, 'utf8');
    // Loaded on every cold start: a few KiB at most, minified, nothing imported but node: built-ins, and node:net
    // through process.getBuiltinModule (our HTTP/1.1 client: a first request through node:http costs init ~5 ms more).
    expect(code.length).toBeLessThan(6 * 1024);
    // Minified: a line or two, not counting the line breaks of HTTP heads inside template literals.
    expect(code.replace(/`[^`]*`/g, '``').split('\n').length).toBeLessThan(5);
    const imports = [...code.matchAll(/(?:from|import)\s*["']([^"']+)["']/g)].map((m) => m[1]);
    expect(code).toContain('getBuiltinModule("node:net")');
    expect(imports).not.toContain('node:http');
    expect(
      imports.filter((s) => !s!.startsWith('node:')),
      code.slice(0, 200),
    ).toEqual([]);
    expect(code).toContain('/2020-01-01/extension/register');
    expect(code).not.toMatch(/opentelemetry|openai/i);
    expect(code).toBe(fs.readFileSync(path.join(ROOT, 'build/lambda/api/extension.mjs'), 'utf8'));
    const line = stdout.split('\n').find((l) => l.trim().startsWith('extension '));
    expect(line, stdout).toMatch(/extension\.mjs\s+[\d.]+ KiB\s+gzip\s+[\d.]+ KiB/);
    expect(Math.abs(Number(/([\d.]+) KiB/.exec(line!)![1]) - code.length / 1024)).toBeLessThanOrEqual(0.0501);
  });

  it('extension.mjs does nothing outside Lambda (no AWS_LAMBDA_RUNTIME_API) or under sam local: no output, no handle left open', () => {
    const file = path.join(ROOT, 'build/lambda/api/extension.mjs');
    const KEY = "Symbol.for('lambda-llm-tracing.extension-channel')";
    const probe = (load: boolean) => `${load ? `await import(${JSON.stringify(pathToFileURL(file).href)});` : `await Promise.resolve();`}
      await new Promise((r) => setTimeout(r, 50));
      process.stdout.write(JSON.stringify({ channel: globalThis[${KEY}] ?? null, handles: process.getActiveResourcesInfo(), node: process.version }));`;
    const run = (load: boolean, extra: Record<string, string>) =>
      spawnSync(NODE, ['--input-type=module', '-e', probe(load)], { encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH ?? '', ...extra } });
    // What a bare process has open (stdio pipes): the extension must add nothing to it.
    const baseline = JSON.parse(run(false, {}).stdout) as { handles: string[] };
    const cases: Record<string, string>[] = [
      {},
      // sam local: even with a Runtime API there, it must not try to register (port 9 would refuse and it would log).
      { AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9', AWS_SAM_LOCAL: 'true' },
      { AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9', LLM_TRACING_EXPORT_MODE: 'before-response' },
    ];
    for (const extra of cases) {
      const p = run(true, extra);
      expect(p.status, p.stderr).toBe(0);
      expect(p.stderr, JSON.stringify(extra)).toBe('');
      expect(JSON.parse(p.stdout), JSON.stringify(extra)).toEqual({ channel: null, handles: baseline.handles, node: expect.stringMatching(/^v24\./) });
    }
  });

  it('leaves @aws-sdk/* to the runtime and bundles everything else (per the source maps)', () => {
    const sources = (name: string) =>
      (JSON.parse(fs.readFileSync(path.join(ROOT, `build/lambda/${name}/index.mjs.map`), 'utf8')) as { sources: string[] }).sources;
    const producer = fs.readFileSync(path.join(ROOT, 'build/lambda/producer/index.mjs'), 'utf8');
    expect(producer).toMatch(/from\s*["']@aws-sdk\/client-sqs["']/);
    for (const name of ['api', 'stream', 'producer', 'worker']) {
      const s = sources(name);
      expect(
        s.filter((f) => /node_modules\/(@aws-sdk|@smithy)\//.test(f)),
        name,
      ).toEqual([]);
      expect(
        s.some((f) => f.endsWith('src/lambda/wrapper.ts')),
        name,
      ).toBe(true);
      expect(
        s.some((f) => /node_modules\/@opentelemetry\/sdk-trace\//.test(f)),
        name,
      ).toBe(true);
      if (name !== 'producer')
        expect(
          s.some((f) => /node_modules\/openai\//.test(f)),
          name,
        ).toBe(true);
    }
  });

  it.each(functionIds)(
    '%s: the bundle imports cleanly under Node 24 in a fresh process, after the extension as NODE_OPTIONS loads it, and exports a handler the runtime accepts',
    (id) => {
      const fn = loadFunctionConfig({ template: TEMPLATE, functionId: id });
      const file = handlerFile(fn.codeDir, fn.handler)!;
      // The `awslambda` global the Node.js runtime installs before loading the handler (streamifyResponse marks).
      const runtimeGlobal = `globalThis.awslambda = { streamifyResponse: (h) => ((h[Symbol.for('aws.lambda.runtime.handler.streaming')] = 'response'), h), HttpResponseStream: { from: (s) => s } };`;
      const script = `${runtimeGlobal}
      const m = await import(${JSON.stringify(pathToFileURL(file).href)});
      const streaming = m.handler?.[Symbol.for('aws.lambda.runtime.handler.streaming')] ?? null;
      process.stdout.write(JSON.stringify({ type: typeof m.handler, length: m.handler?.length, streaming, node: process.version }));`;
      // The template's --import, with /var/task mapped to the bundle's folder.
      const nodeOptions = fn.environment.NODE_OPTIONS!.replace('/var/task/', fn.codeDir + path.sep);
      expect(nodeOptions).toContain('--import');
      const p = spawnSync(NODE, ['--input-type=module', '-e', script], {
        cwd: fn.codeDir,
        encoding: 'utf8',
        timeout: 20_000,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_OPTIONS: nodeOptions,
          AWS_REGION: 'us-east-1',
          AWS_LAMBDA_FUNCTION_NAME: id,
          OPENAI_API_KEY: 'sk-fake-for-import',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
          QUEUE_URL: 'http://127.0.0.1:9/123456789012/jobs',
        },
      });
      expect(p.status, p.stderr).toBe(0);
      // nodejs24.x refuses 3-parameter handlers unless they stream: (event, responseStream, context) then.
      const expected = id === 'StreamFunction' ? { length: 3, streaming: 'response' } : { length: 2, streaming: null };
      expect(JSON.parse(p.stdout)).toEqual({ type: 'function', ...expected, node: expect.stringMatching(/^v24\./) });
    },
  );
});
