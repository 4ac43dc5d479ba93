/**
 * Installs the peers (on first use) and builds every variant's code directory: what a function's /var/task (and,
 * for ADOT, its layer's /opt) would hold. Every variant runs the same handler logic (handlers/chat.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { build, type BuildOptions, type Plugin } from 'esbuild';

export const BENCH = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.dirname(BENCH);
const PEERS = path.join(BENCH, 'peers');
const ADOT = path.join(PEERS, 'adot');
const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export type VariantId = 'bare' | 'ours' | 'ours-after' | 'otel' | 'adot';

export interface Variant {
  id: VariantId;
  label: string;
  codeDir: string;
  /** Variables the variant's setup needs (NODE_OPTIONS, what the layer's wrapper script exports, ...). */
  env: Record<string, string>;
  /** Whether it exports spans at all. */
  traces: boolean;
  size: { minBytes: number; gzipBytes: number; onDiskBytes?: number; note: string };
}

/** `npm install` (or `npm ci` with a lockfile) in each peer folder whose dependencies are not all there. */
export function installPeers(log: (s: string) => void): void {
  for (const dir of [PEERS, ADOT]) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const missing = Object.keys(pkg.dependencies).filter((d) => !fs.existsSync(path.join(dir, 'node_modules', d, 'package.json')));
    if (missing.length === 0) continue;
    const ci = fs.existsSync(path.join(dir, 'package-lock.json'));
    log(`installing bench peers in ${path.relative(ROOT, dir)} (npm ${ci ? 'ci' : 'install'}; missing: ${missing.join(', ')})`);
    // Node 24's directory first: npm on an older node would skip packages whose engines need 22.15+.
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
    const r = spawnSync('npm', [ci ? 'ci' : 'install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`npm ${ci ? 'ci' : 'install'} in ${dir} failed (${r.status ?? r.signal})`);
  }
}

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  logLevel: 'error',
  mainFields: ['module', 'main'],
};

/** Builds an ESM handler bundle (like build.mjs does) and returns its size. */
async function esm(entry: string, outfile: string, extra: BuildOptions = {}): Promise<{ minBytes: number; gzipBytes: number }> {
  await build({ ...common, entryPoints: [entry], outfile, format: 'esm', banner: { js: BANNER }, external: ['@aws-sdk/*'], ...extra });
  return sizeOf([outfile]);
}

export function sizeOf(files: string[]): { minBytes: number; gzipBytes: number } {
  const code = Buffer.concat(files.map((f) => fs.readFileSync(f)));
  return { minBytes: code.length, gzipBytes: zlib.gzipSync(code, { level: 9 }).length };
}

function duBytes(dir: string): number {
  const r = spawnSync('du', ['-sbL', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]) || 0;
}

/** Modules esbuild cannot resolve (optional requires in try/catch) stay external, as webpack leaves them. */
const unresolvedExternal: Plugin = {
  name: 'unresolved-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'again') return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'again' });
      return r.errors.length ? { path: args.path, external: true } : undefined;
    });
  },
};

export async function buildVariants(out: string, withExtension: boolean): Promise<Variant[]> {
  const handlers = path.join(BENCH, 'handlers');
  const openai6 = { alias: { openai: 'openai6' } };
  const variants: Variant[] = [];

  const bareDir = path.join(out, 'bare');
  variants.push({ id: 'bare', label: 'bare (no tracing)', codeDir: bareDir, env: {}, traces: false,
    size: { ...(await esm(path.join(handlers, 'bare.ts'), path.join(bareDir, 'index.mjs'), openai6)), note: 'handler + openai, one ESM bundle' } });

  const oursDir = path.join(out, 'ours');
  const ours = await esm(path.join(handlers, 'ours.ts'), path.join(oursDir, 'index.mjs'), openai6);
  variants.push({ id: 'ours', label: 'ours (withLlmTracing + traceOpenAI)', codeDir: oursDir, env: {}, traces: true,
    size: { ...ours, note: 'handler + openai + lambda-llm-tracing, one ESM bundle' } });

  if (withExtension) {
    const dir = path.join(out, 'ours-after');
    await esm(path.join(handlers, 'ours.ts'), path.join(dir, 'index.mjs'), openai6);
    const ext = path.join(dir, 'extension.mjs');
    await esm(path.join(ROOT, 'src', 'extension', 'index.ts'), ext);
    variants.push({ id: 'ours-after', label: 'ours, after-response export (extension)', codeDir: dir, env: { NODE_OPTIONS: `--import ${ext}` }, traces: true,
      size: { ...sizeOf([path.join(dir, 'index.mjs'), ext]), note: 'the ours bundle + extension.mjs' } });
  }

  // Peer (a): the handler bundled with openai left out (instrumentation can only patch a module loaded from
  // node_modules), the init file beside it, node_modules present: what the instrumentation-aws-lambda README
  // describes (`NODE_OPTIONS=--require lambda-wrapper`, plus the ESM hook it requires on nodejs24.x).
  const otelDir = path.join(out, 'otel');
  await esm(path.join(handlers, 'bare.ts'), path.join(otelDir, 'index.mjs'), { external: ['openai', '@aws-sdk/*'] });
  fs.copyFileSync(path.join(PEERS, 'otel-init.cjs'), path.join(otelDir, 'otel-init.cjs'));
  fs.symlinkSync(path.join(PEERS, 'node_modules'), path.join(otelDir, 'node_modules'));
  // Its size as one minified bundle (init + SDK + instrumentations + handler + openai), for comparison only.
  const otelAll = path.join(out, 'sizes', 'otel-all.cjs');
  await build({ ...common, stdin: { contents: `require('./otel-init.cjs'); module.exports = require(${JSON.stringify(path.join(handlers, 'bare.ts'))});`, resolveDir: otelDir, loader: 'js' },
    outfile: otelAll, format: 'cjs', ...openai6, plugins: [unresolvedExternal] });
  variants.push({ id: 'otel', label: 'OTel SDK + aws-lambda + openai instrumentations', codeDir: otelDir, traces: true,
    env: { NODE_OPTIONS: `--require ${path.join(otelDir, 'otel-init.cjs')} --experimental-loader=@opentelemetry/instrumentation/hook.mjs`, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
    size: { ...sizeOf([otelAll]), onDiskBytes: duBytes(path.join(PEERS, 'node_modules')), note: 'runs unbundled from node_modules (on disk); min/gzip: the same code bundled by esbuild' } });

  // Peer (b): the layer's wrapper bundled and minified the way the layer's webpack build does it (externals
  // import-in-the-middle, require-in-the-middle, @aws-sdk), in a folder standing in for /opt; the handler as for (a).
  const layer = path.join(out, 'adot-layer');
  await build({ ...common, entryPoints: [path.join(ADOT, 'wrapper.cjs')], outfile: path.join(layer, 'wrapper.cjs'), format: 'cjs',
    external: ['import-in-the-middle', 'require-in-the-middle', '@aws-sdk/*'], plugins: [unresolvedExternal] });
  fs.copyFileSync(path.join(ADOT, 'wrapper.mjs'), path.join(layer, 'wrapper.mjs'));
  fs.symlinkSync(path.join(ADOT, 'node_modules'), path.join(layer, 'node_modules'));
  const adotDir = path.join(out, 'adot');
  await esm(path.join(handlers, 'bare.ts'), path.join(adotDir, 'index.mjs'), { external: ['openai', '@aws-sdk/*'] });
  fs.mkdirSync(path.join(adotDir, 'node_modules'));
  fs.symlinkSync(path.join(PEERS, 'node_modules', 'openai'), path.join(adotDir, 'node_modules', 'openai'));
  const openaiSize = sizeOf([path.join(bareDir, 'index.mjs')]);
  const layerSize = sizeOf([path.join(layer, 'wrapper.cjs')]);
  variants.push({ id: 'adot', label: 'ADOT Lambda layer (auto-instrumentation)', codeDir: adotDir, traces: true,
    env: adotLayerEnv(path.join(layer, 'wrapper.mjs')),
    size: { minBytes: layerSize.minBytes + openaiSize.minBytes, gzipBytes: layerSize.gzipBytes + openaiSize.gzipBytes, note: 'layer wrapper bundle + the bare bundle (handler + openai)' } });
  return variants;
}

/**
 * What the ADOT layer's `otel-instrument` exec wrapper exports on nodejs24.x (AWS_LAMBDA_EXEC_WRAPPER), plus the
 * one variable a user sets to get OpenAI spans (the layer enables only aws-sdk, aws-lambda and http by default).
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set by the bench: without it, ADOT sends spans over UDP to the X-Ray daemon.
 */
function adotLayerEnv(wrapper: string): Record<string, string> {
  return {
    NODE_OPTIONS: `--import ${wrapper}`,
    HANDLER_IS_ESM: 'true',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'openai,aws-lambda,http',
    OTEL_PROPAGATORS: 'baggage,tracecontext,xray',
    OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'true',
    OTEL_RESOURCE_ATTRIBUTES: 'cloud.provider=aws,cloud.platform=aws_lambda',
  };
}
