/**
 * Installs the peers (on first use) and builds every variant's code directory: what a function's /var/task (and,
 * for ADOT, its layer's /opt) would hold. Every variant runs the same handler logic (handlers/chat.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

export const BENCH = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.dirname(BENCH);
const PEERS = path.join(BENCH, 'peers');
const ADOT = path.join(PEERS, 'adot');
const POWERTOOLS = path.join(PEERS, 'powertools');
const SENTRY = path.join(PEERS, 'sentry');
const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export type VariantId = 'bare' | 'ours' | 'ours-after' | 'otel' | 'adot' | 'powertools' | 'sentry';

/** Where a variant's spans go: OTLP/HTTP to the collector, X-Ray segments over UDP, Sentry envelopes over HTTP. */
export type Sink = 'otlp' | 'xray' | 'sentry';

export interface Variant {
  id: VariantId;
  label: string;
  codeDir: string;
  /** Variables the variant's setup needs (NODE_OPTIONS, what the layer's wrapper script exports, ...). */
  env: Record<string, string>;
  /** Whether it exports spans at all. */
  traces: boolean;
  sink: Sink;
  size: { minBytes: number; gzipBytes: number; onDiskBytes?: number; note: string };
}

/** `npm install` (or `npm ci` with a lockfile) in each peer folder whose dependencies are not all there. */
export function installPeers(log: (s: string) => void): void {
  for (const dir of [PEERS, ADOT, POWERTOOLS, SENTRY]) {
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

/** The bench's "not exporting" settings: no flush before the response, a batch that is never due, nothing dropped. */
export const NOT_EXPORTING = {
  LLM_TRACING_FLUSH_BUDGET_MS: '0',
  OTEL_BSP_SCHEDULE_DELAY: '3600000',
  OTEL_BSP_MAX_QUEUE_SIZE: '1000000',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1000000',
};

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  logLevel: 'error',
  mainFields: ['module', 'main'],
};

/** Builds an ESM handler bundle (like build.mjs does) and returns its size and esbuild's metafile. */
export async function esm(entry: string, outfile: string, extra: BuildOptions = {}): Promise<{ minBytes: number; gzipBytes: number; metafile: Metafile }> {
  const r = await build({
    ...common,
    entryPoints: [entry],
    outfile,
    format: 'esm',
    banner: { js: BANNER },
    external: ['@aws-sdk/*'],
    metafile: true,
    ...extra,
  });
  return { ...sizeOf([outfile]), metafile: r.metafile! };
}

/** The extension's entry point (`lambda-llm-tracing/extension`). */
export function extensionEntry(): string {
  return path.join(ROOT, 'src', 'extension', 'index.ts');
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

const HANDLERS = path.join(BENCH, 'handlers');
const OPENAI6 = { alias: { openai: 'openai6' } };
const bytes = (z: { minBytes: number; gzipBytes: number }) => ({ minBytes: z.minBytes, gzipBytes: z.gzipBytes });

export async function buildVariants(out: string, withExtension: boolean): Promise<Variant[]> {
  const variants: Variant[] = [...(await buildOurs(out, withExtension))];
  variants.push(await buildOtel(out), await buildAdot(out));
  if (fs.existsSync(path.join(POWERTOOLS, 'node_modules'))) variants.push(await buildPowertools(out));
  if (fs.existsSync(path.join(SENTRY, 'node_modules'))) variants.push(await buildSentry(out));
  return variants;
}

export async function buildOurs(out: string, withExtension: boolean): Promise<Variant[]> {
  const bareDir = path.join(out, 'bare');
  const bare = await esm(path.join(HANDLERS, 'bare.ts'), path.join(bareDir, 'index.mjs'), OPENAI6);
  const variants: Variant[] = [
    {
      id: 'bare',
      label: 'bare (no tracing)',
      codeDir: bareDir,
      env: {},
      traces: false,
      sink: 'otlp',
      size: { ...bytes(bare), note: 'handler + openai, one ESM bundle' },
    },
  ];
  const oursDir = path.join(out, 'ours');
  const ours = await esm(path.join(HANDLERS, 'ours.ts'), path.join(oursDir, 'index.mjs'), OPENAI6);
  variants.push({
    id: 'ours',
    label: 'ours (withLlmTracing + traceOpenAI)',
    codeDir: oursDir,
    env: {},
    traces: true,
    sink: 'otlp',
    size: { ...bytes(ours), note: 'handler + openai + lambda-llm-tracing, one ESM bundle' },
  });
  if (withExtension) {
    const dir = path.join(out, 'ours-after');
    await esm(path.join(HANDLERS, 'ours.ts'), path.join(dir, 'index.mjs'), OPENAI6);
    const ext = path.join(dir, 'extension.mjs');
    await esm(extensionEntry(), ext);
    variants.push({
      id: 'ours-after',
      label: 'ours, after-response export (extension)',
      codeDir: dir,
      env: { NODE_OPTIONS: `--import ${ext}` },
      traces: true,
      sink: 'otlp',
      size: { ...sizeOf([path.join(dir, 'index.mjs'), ext]), note: 'the ours bundle + extension.mjs' },
    });
  }
  return variants;
}

/**
 * Peer (a): the handler bundled with openai left out (instrumentation can only patch a module loaded from
 * node_modules), the init file beside it, node_modules present: what the instrumentation-aws-lambda README
 * describes (`NODE_OPTIONS=--require lambda-wrapper`, plus the ESM hook it requires on nodejs24.x).
 */
async function buildOtel(out: string): Promise<Variant> {
  const otelDir = path.join(out, 'otel');
  await esm(path.join(HANDLERS, 'bare.ts'), path.join(otelDir, 'index.mjs'), { external: ['openai', '@aws-sdk/*'] });
  fs.copyFileSync(path.join(PEERS, 'otel-init.cjs'), path.join(otelDir, 'otel-init.cjs'));
  fs.symlinkSync(path.join(PEERS, 'node_modules'), path.join(otelDir, 'node_modules'));
  // Its size as one minified bundle (init + SDK + instrumentations + handler + openai), for comparison only.
  const otelAll = path.join(out, 'sizes', 'otel-all.cjs');
  await build({
    ...common,
    stdin: {
      contents: `require('./otel-init.cjs'); module.exports = require(${JSON.stringify(path.join(HANDLERS, 'bare.ts'))});`,
      resolveDir: otelDir,
      loader: 'js',
    },
    outfile: otelAll,
    format: 'cjs',
    ...OPENAI6,
    plugins: [unresolvedExternal],
  });
  return {
    id: 'otel',
    label: 'OTel SDK + aws-lambda + openai instrumentations',
    codeDir: otelDir,
    traces: true,
    sink: 'otlp',
    env: {
      NODE_OPTIONS: `--require ${path.join(otelDir, 'otel-init.cjs')} --experimental-loader=@opentelemetry/instrumentation/hook.mjs`,
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    },
    size: {
      ...sizeOf([otelAll]),
      onDiskBytes: duBytes(path.join(PEERS, 'node_modules')),
      note: 'runs unbundled from node_modules (on disk); min/gzip: the same code bundled by esbuild',
    },
  };
}

/**
 * Peer (b): the layer's wrapper bundled and minified the way the layer's webpack build does it (externals
 * import-in-the-middle, require-in-the-middle, @aws-sdk), in a folder standing in for /opt; the handler as for (a).
 */
async function buildAdot(out: string): Promise<Variant> {
  const layer = path.join(out, 'adot-layer');
  await build({
    ...common,
    entryPoints: [path.join(ADOT, 'wrapper.cjs')],
    outfile: path.join(layer, 'wrapper.cjs'),
    format: 'cjs',
    external: ['import-in-the-middle', 'require-in-the-middle', '@aws-sdk/*'],
    plugins: [unresolvedExternal],
  });
  fs.copyFileSync(path.join(ADOT, 'wrapper.mjs'), path.join(layer, 'wrapper.mjs'));
  fs.symlinkSync(path.join(ADOT, 'node_modules'), path.join(layer, 'node_modules'));
  const adotDir = path.join(out, 'adot');
  await esm(path.join(HANDLERS, 'bare.ts'), path.join(adotDir, 'index.mjs'), { external: ['openai', '@aws-sdk/*'] });
  fs.mkdirSync(path.join(adotDir, 'node_modules'));
  fs.symlinkSync(path.join(PEERS, 'node_modules', 'openai'), path.join(adotDir, 'node_modules', 'openai'));
  const openaiSize = sizeOf([path.join(out, 'bare', 'index.mjs')]);
  const layerSize = sizeOf([path.join(layer, 'wrapper.cjs')]);
  return {
    id: 'adot',
    label: 'ADOT Lambda layer (auto-instrumentation)',
    codeDir: adotDir,
    traces: true,
    sink: 'otlp',
    env: adotLayerEnv(path.join(layer, 'wrapper.mjs')),
    size: {
      minBytes: layerSize.minBytes + openaiSize.minBytes,
      gzipBytes: layerSize.gzipBytes + openaiSize.gzipBytes,
      note: 'layer wrapper bundle + the bare bundle (handler + openai)',
    },
  };
}

/**
 * Peer (c): Powertools Tracer, bundled into the handler like ours (it patches nothing through module hooks: it
 * traces fetch through undici's diagnostics channel), sending X-Ray segments over UDP to AWS_XRAY_DAEMON_ADDRESS,
 * which the bench points at a local listener per sandbox.
 */
async function buildPowertools(out: string): Promise<Variant> {
  const dir = path.join(out, 'powertools');
  const z = await esm(path.join(HANDLERS, 'powertools.mjs'), path.join(dir, 'index.mjs'), { ...OPENAI6, nodePaths: [path.join(POWERTOOLS, 'node_modules')] });
  return {
    id: 'powertools',
    label: 'Powertools Tracer (X-Ray)',
    codeDir: dir,
    env: {},
    traces: true,
    sink: 'xray',
    size: { ...bytes(z), note: 'handler + openai + Powertools Tracer + aws-xray-sdk-core, one ESM bundle' },
  };
}

/**
 * Peer (d): Sentry's automatic setup from its README (`--import @sentry/aws-serverless/awslambda-auto`,
 * SENTRY_DSN, SENTRY_TRACES_SAMPLE_RATE=1.0, whose default integrations then include OpenAI); as for (a), the
 * handler bundled with openai left out and node_modules (the layer's) in the task root.
 */
async function buildSentry(out: string): Promise<Variant> {
  const dir = path.join(out, 'sentry');
  await esm(path.join(HANDLERS, 'bare.ts'), path.join(dir, 'index.mjs'), { external: ['openai', '@aws-sdk/*'] });
  fs.symlinkSync(path.join(SENTRY, 'node_modules'), path.join(dir, 'node_modules'));
  const all = path.join(out, 'sizes', 'sentry-all.mjs');
  await build({
    ...common,
    stdin: {
      contents: `import '@sentry/aws-serverless/awslambda-auto'; export * from ${JSON.stringify(path.join(HANDLERS, 'bare.ts'))};`,
      resolveDir: dir,
      loader: 'js',
    },
    // The auto-setup module says it has no side effects, which would make esbuild drop the import it is all about.
    outfile: all,
    format: 'esm',
    banner: { js: BANNER },
    ...OPENAI6,
    plugins: [unresolvedExternal],
    ignoreAnnotations: true,
  });
  return {
    id: 'sentry',
    label: 'Sentry @sentry/aws-serverless',
    codeDir: dir,
    traces: true,
    sink: 'sentry',
    env: { NODE_OPTIONS: '--import @sentry/aws-serverless/awslambda-auto', SENTRY_TRACES_SAMPLE_RATE: '1.0' },
    size: {
      ...sizeOf([all]),
      onDiskBytes: duBytes(path.join(SENTRY, 'node_modules')),
      note: 'runs unbundled from node_modules (on disk); min/gzip: the same code bundled by esbuild',
    },
  };
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
