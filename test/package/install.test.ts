// From "it works in this repo" to "it works in my function": a fresh clone packs the built package; a project
// outside the repository installs the tarball, imports it (ESM and CJS), and follows the README's "Use it in your
// own function" as written: its tsconfig, handler, commands (strict type-check of the handler and of every
// TypeScript snippet in the README, esbuild bundle, the shipped extension copied beside it), its SAM template run
// through the local runner, exporting after the response.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type OpenAIServer } from '../../tools/openai-server/index.ts';
import { startSandbox, type Sandbox } from '../../tools/runner/index.ts';
import { writeReadmeProject, type ReadmeBlock } from '../support/readme.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';
import { installed, newProject, nodeEval, npmInstall, PACKAGE_FILES, ROOT, run, snapshotRepo, tempDir } from '../support/scratch.ts';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
let work: { dir: string; cleanup: () => void };
let tarball: string;
let packed: string[];
let app: string;
let blocks: ReadmeBlock[];
let receiver: OtlpReceiver;
let model: OpenAIServer;
const sandboxes: Sandbox[] = [];

beforeAll(async () => {
  work = tempDir('llt-install-');
  // A clone of the working tree, packed as `npm publish` would: `prepare` builds dist in the clone. Its
  // node_modules is the shared install (build tools only; nothing is installed into it).
  const repo = snapshotRepo(path.join(work.dir, 'repo'));
  const clone = path.join(work.dir, 'clone');
  run('git', ['clone', '-q', repo, clone], work.dir);
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(clone, 'node_modules'));
  // stdout holds what `prepare` printed, then npm's JSON.
  const printed = run('npm', ['pack', '--json', '--pack-destination', work.dir], clone);
  const out = JSON.parse(printed.slice(printed.search(/^\[/m))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work.dir, out[0]!.filename);
  packed = out[0]!.files.map((f) => f.path).sort();

  app = newProject(path.join(work.dir, 'my-function'), 'my-function');
  blocks = writeReadmeProject(app);
  // No --omit=optional: the packed package.json must not make npm build aws-lambda-ric (the runner's client).
  npmInstall(app, [tarball, ...['openai', '@anthropic-ai/sdk', '@aws-sdk/client-bedrock-runtime', 'ai', '@ai-sdk/otel'].map(installed)]);
  npmInstall(app, [...['typescript', 'esbuild', '@types/aws-lambda', '@types/node'].map(installed)], { dev: true });
  [receiver, model] = await Promise.all([startOtlpReceiver(), startOpenAIServer()]);
}, 420_000);

afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.shutdown()));
  await receiver?.close();
  await model?.close();
  work?.cleanup();
});

describe('npm pack of a fresh clone', () => {
  it('holds the built package: ESM, CJS, types, the extension file, README, LICENSE, CHANGELOG; no sources or tests', () => {
    expect(path.basename(tarball)).toBe(`${pkg.name}-${pkg.version}.tgz`);
    for (const f of [...PACKAGE_FILES, 'package.json']) {
      expect(packed, f).toContain(f);
    }
    expect(packed.filter((f) => !f.startsWith('dist/') && !['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'].includes(f))).toEqual([]);
    expect(fs.readFileSync(path.join(app, 'node_modules', pkg.name, 'LICENSE'), 'utf8')).toContain(
      'Apache License\n                           Version 2.0, January 2004',
    );
  });
});

describe('the packed package.json', () => {
  it('depends on OpenTelemetry packages only: the runner client (aws-lambda-ric) stays in the tools workspace', () => {
    const installed = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', pkg.name, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    expect(Object.keys(installed.dependencies ?? {}).filter((d) => !d.startsWith('@opentelemetry/'))).toEqual([]);
    expect(installed.optionalDependencies).toBeUndefined();
    expect(fs.existsSync(path.join(app, 'node_modules', 'aws-lambda-ric'))).toBe(false);
  });
});

describe('a project outside the repository, with the tarball installed', () => {
  it('imports it as ESM and requires it as CommonJS, from its own node_modules', () => {
    const esm = nodeEval(
      app,
      "import * as m from 'lambda-llm-tracing'; console.log(typeof m.withLlmTracing, typeof m.traceOpenAI, import.meta.resolve('lambda-llm-tracing'))",
      'module',
    );
    expect(esm).toBe(`function function file://${app}/node_modules/lambda-llm-tracing/dist/esm/index.js`);
    const cjs = nodeEval(
      app,
      "const m = require('lambda-llm-tracing'); console.log(typeof m.withLlmTracing, require.resolve('lambda-llm-tracing'))",
      'commonjs',
    );
    expect(cjs).toBe(`function ${app}/node_modules/lambda-llm-tracing/dist/cjs/index.js`);
  });

  it('reaches the extension through exports as one self-contained ES module that imports only node: built-ins', async () => {
    const file = path.join(app, 'node_modules', pkg.name, 'dist', 'extension.mjs');
    for (const spec of ['lambda-llm-tracing/extension', 'lambda-llm-tracing/extension.mjs']) {
      expect(nodeEval(app, `console.log(import.meta.resolve('${spec}'))`, 'module'), spec).toBe(`file://${file}`);
    }
    expect(nodeEval(app, "console.log(require.resolve('lambda-llm-tracing/extension.mjs'))", 'commonjs')).toBe(file);
    // Bundling it again finds nothing to bundle: it is one file, and all it imports are Node built-ins.
    const { metafile } = await build({ entryPoints: [file], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    expect(Object.keys(metafile.inputs)).toHaveLength(1);
    const imports = Object.values(metafile.inputs)[0]!.imports;
    expect(fs.readFileSync(file, 'utf8')).toContain('getBuiltinModule("node:net")');
    for (const i of imports) expect(i, JSON.stringify(i)).toMatchObject({ external: true, path: expect.stringMatching(/^node:/) });
  });

  it("runs the README's commands as written: strict type-check of the handler and every README snippet, the bundle, the extension beside it", () => {
    const commands = blocks.filter((b) => b.run);
    expect(commands).toHaveLength(1);
    // Throws with tsc's or esbuild's messages (snippets are named src/readme/line-<README line>.mts).
    run('sh', ['-ec', commands[0]!.code], app);
    const snippets = fs.readdirSync(path.join(app, 'src', 'readme')).filter((f) => f.startsWith('line-'));
    expect(snippets.length).toBe(blocks.filter((b) => b.lang === 'ts' && !b.file).length);
    expect(JSON.parse(fs.readFileSync(path.join(app, 'tsconfig.json'), 'utf8'))).toMatchObject({ compilerOptions: { strict: true } });
    const out = path.join(app, 'build', 'my-function');
    expect(fs.readFileSync(path.join(out, 'extension.mjs'))).toEqual(fs.readFileSync(path.join(app, 'node_modules', pkg.name, 'dist', 'extension.mjs')));
    expect(fs.readFileSync(path.join(out, 'index.mjs'), 'utf8')).toContain('lambda-llm-tracing');
  });

  it('the strict type-check has teeth: an untyped event in the handler fails it', () => {
    const handler = path.join(app, 'src', 'handler.ts');
    const good = fs.readFileSync(handler, 'utf8');
    try {
      fs.writeFileSync(handler, good.replace('async (event: APIGatewayProxyEventV2)', 'async (event)'));
      expect(() => run('npx', ['tsc'], app)).toThrow(/TS7006: Parameter 'event' implicitly has an 'any' type/);
    } finally {
      fs.writeFileSync(handler, good);
    }
  });

  it("runs in the local runner from the README's template with the shipped extension, exporting after the response", async () => {
    await receiver.setMode({ kind: 'delay', ms: 1000 });
    const sb = await startSandbox({
      template: path.join(app, 'template.yaml'),
      functionId: 'MyFunction',
      envVarsFile: path.join(app, 'env.json'),
      // What the README's commands give by their fixed ports, here on free ones.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OPENAI_BASE_URL: model.url, OTEL_BSP_SCHEDULE_DELAY: '600000', LLM_TRACING_FLUSH_BUDGET_MS: '3000' },
      log: () => {},
    });
    sandboxes.push(sb);
    const event = JSON.parse(fs.readFileSync(path.join(app, 'event.json'), 'utf8')) as unknown;
    const r = await sb.invoke(event);
    expect(r.error).toBeUndefined();
    expect(r.result).toMatchObject({ statusCode: 200, body: expect.stringContaining('ZEPHYR') });
    expect(sb.extensions).toEqual(['lambda-llm-tracing']);
    // The response did not wait for the 1 s collector; the sandbox stayed thawed for the export instead.
    expect(r.durationMs).toBeLessThan(1000);
    expect(r.postRuntimeMs).toBeGreaterThanOrEqual(900);
    const server = receiver.spans.find((s) => s.attributes['faas.invocation.id'] === r.requestId)!;
    expect(server.attributes['llm.export.mode']).toBe('after-response');
    const trace = receiver.spans.filter((s) => s.traceId === server.traceId);
    expect(trace.map((s) => `${s.kind} ${s.name}`).sort()).toEqual(['CLIENT POST /v1/chat/completions', 'CLIENT chat gpt-4o-mini', 'SERVER MyFunction'].sort());
    await receiver.setMode({ kind: 'ok' });
  });
});
