/**
 * `npm run bench`: our wrapper against a bare handler and four peers, all through the local Lambda runner, plus
 * the fresh-process cold start of a small app; every figure a median with its spread and a ratio to the bare
 * handler measured in the same run. Prints markdown tables and writes bench/results/latest.json. See
 * bench/README.md for the method.
 *
 *   BENCH_QUICK=1 npm run bench   # fewer repetitions, a few minutes
 */
import { parseCli } from '../tools/cli.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOpenAIServer } from '../tools/openai-server/index.ts';
import { startOtlpReceiver } from '../tools/otlp/index.ts';
import { buildFreshApps, freshColdStarts, freshTable, packageBytes } from './fresh.ts';
import { providerColdStarts, providerColdTable } from './provider-cold.ts';
import { coldStarts, failures, hangingCollector, open, spansFrom, warm, type Parts, type Run } from './phases.ts';
import { instrumentationSizes } from './instrumentation-size.ts';
import { stat } from './report.ts';
import { BENCH, NOT_EXPORTING, ROOT, buildVariants, installPeers, type Variant, type VariantId } from './setup.ts';
import { startSentryEndpoint, startXrayDaemon } from './sinks.ts';
import { runnerTable, type Measured } from './table.ts';

parseCli(
  'npm run bench',
  `usage: npm run bench [-- --help]
  Cold start, bundle size, warm overhead, flush latency and memory: ours against a bare handler and four peers,
  through the local runner (about 4 minutes on 2 cores; the peers install into bench/peers on the first run).
  Prints a markdown table and writes bench/results/latest.json.
  BENCH_QUICK=1 npm run bench   fewer repetitions, to try it out`,
  {},
);

const quick = process.env.BENCH_QUICK === '1';
const COLD_ROUNDS = quick ? 3 : 12;
const FRESH_ROUNDS = quick ? 15 : 21;
const WARMUP = 20;
const WARM = quick ? 100 : 1000;
const HANG = quick ? 1 : 3;

const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}\n`);

const NO_EXPORT = NOT_EXPORTING;

installPeers(log);
const extensionsApi = fs.existsSync(path.join(ROOT, 'tools', 'runner', 'extensions-api.ts'));
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-bench-'));
log(`building variants in ${out}`);
const variants = await buildVariants(out, extensionsApi);
const fresh = await buildFreshApps(out);
const v = (id: string): Variant | undefined => variants.find((x) => x.id === id);
const receiver = await startOtlpReceiver();
const server = await startOpenAIServer();
const xray = startXrayDaemon();
const sentry = await startSentryEndpoint();
const parts: Parts = { receiver, server, xray, sentry, log };

const run = (key: string, id: VariantId, env?: Record<string, string>): Run[] => {
  const variant = v(id);
  return variant ? [{ key, variant, ...(env ? { env } : {}) }] : [];
};
const ids: VariantId[] = ['bare', 'ours', 'ours-after', 'otel', 'adot', 'powertools', 'sentry'];
const main: Run[] = ids.flatMap((id) => run(id, id));

try {
  log(`fresh process: ${FRESH_ROUNDS} rounds × 3 variants`);
  const freshSamples = await freshColdStarts(fresh, FRESH_ROUNDS, receiver, log);
  log(`per-provider cold start: ${FRESH_ROUNDS} rounds × 6 apps`);
  const providers = await providerColdStarts(out, FRESH_ROUNDS, receiver, log);

  log(`cold starts: ${COLD_ROUNDS} rounds × ${main.length} variants`);
  const cold = await coldStarts(main, COLD_ROUNDS, parts);

  receiver.clear();
  xray.clear();
  sentry.clear();
  const warmRuns = [...run('bare', 'bare'), ...run('ours-noexport', 'ours', NO_EXPORT), ...main.filter((r) => r.key !== 'bare')];
  log(`warm: ${WARMUP} + ${WARM} invocations × ${warmRuns.length} sandboxes, interleaved`);
  const warmed = await warm(warmRuns, WARMUP, WARM, parts);

  log(`hanging collector: ${HANG} invocation(s) each`);
  const hang = await hangingCollector(
    main.filter((r) => r.variant.traces),
    HANG,
    parts,
  );

  const asDocumented = await otelAsDocumented();
  const measured: Measured = { cold, warmed, hang, warmCount: WARM, hangCount: HANG };
  report(measured, asDocumented, freshSamples);
  process.stdout.write(`\n${await instrumentationSizes(ROOT)}\n\n${providerColdTable(providers)}\n`);
} finally {
  await receiver.close();
  await server.close();
  await xray.close();
  await sentry.close();
  fs.rmSync(out, { recursive: true, force: true });
}

/** The OTel setup exactly as its README has it, without the line that lets the aws-lambda instrumentation flush. */
async function otelAsDocumented(): Promise<number | undefined> {
  receiver.clear();
  const otel = v('otel');
  if (!otel) return undefined;
  const sb = await open({ key: 'otel-as-documented', variant: otel, env: { BENCH_OTEL_AS_DOCUMENTED: '1' } }, parts);
  for (let i = 0; i < 3; i++) await sb.invoke({ question: 'hi' });
  const n = spansFrom(receiver, 'otel-as-documented');
  await sb.shutdown();
  return n;
}

function report(m: Measured, asDocumented: number | undefined, freshSamples: Awaited<ReturnType<typeof freshColdStarts>>): void {
  const cols = main.map((r) => r.key);
  const table = runnerTable(cols, v, m, Boolean(v('ours-after')));
  const freshText = freshTable(freshSamples, fresh);
  const packages = packageBytes(fresh.sizes.ours.metafile, fresh.sizes.bare.metafile);
  const meta = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    node: process.version,
    quick,
    peers: peerVersions(),
    runs: { coldRounds: COLD_ROUNDS, freshRounds: FRESH_ROUNDS, warmup: WARMUP, warm: WARM, hang: HANG },
    benchSeconds: Math.round((performance.now() - started) / 1000),
    failures,
    otelAsDocumentedSpansIn3Invocations: asDocumented,
  };
  const notes = [
    `${meta.date.slice(0, 10)} · ${meta.machine} · Node ${meta.node} (aws-lambda-ric through tools/runner, SIGSTOP between invocations) · \`${quick ? 'BENCH_QUICK=1 ' : ''}npm run bench\` (${meta.benchSeconds} s)`,
    'Cells: median [p25–p75] ×ratio to bare in the same run. Cold starts interleaved across variants; warm invocations interleaved one by one.',
    `Peers: ${Object.entries(meta.peers)
      .map(([n, ver]) => `${n} ${ver}`)
      .join(', ')}.`,
    asDocumented !== undefined
      ? `OTel setup exactly as its README shows it (no setTracerProvider fix): ${asDocumented} spans received from 3 invocations.`
      : '',
    failures.length ? `FAILED INVOCATIONS (${failures.length}): ${failures.slice(0, 5).join('; ')}` : "Every invocation returned the handler's own result.",
  ].filter(Boolean);
  const packageLines = packages.map((p) => `| ${p.name} | ${(p.bytes / 1024).toFixed(1)} |`).join('\n');
  process.stdout.write(
    `${freshText}\n\n${table}\n\n${notes.map((n) => `${n}  `).join('\n')}\n\nWhat the ours app bundle adds over bare, per package (minified KiB, esbuild metafile):\n\n| package | KiB |\n| --- | --- |\n${packageLines}\n`,
  );
  writeResults(meta, m, freshSamples, { table, freshTable: freshText, packages });
}

function writeResults(meta: object, m: Measured, freshSamples: object, text: { table: string; freshTable: string; packages: object }): void {
  const s = (xs: number[] | undefined) => stat(xs);
  const keys = main.map((r) => r.key).concat('ours-noexport');
  const summary = Object.fromEntries(
    keys.map((k) => [
      k,
      {
        coldTotalMs: s(m.cold[k]?.totalMs),
        coldInitMs: s(m.cold[k]?.initMs),
        coldFirstInvokeMs: s(m.cold[k]?.firstInvokeMs),
        size: v(k === 'ours-noexport' ? 'ours' : k)?.size,
        warmWallMs: s(m.warmed[k]?.wallMs),
        warmCpuMs: s(m.warmed[k]?.cpuMsPerChunk),
        postRuntimeMs: s(m.warmed[k]?.postRuntimeMs),
        hangResponseMs: s(m.hang[k]?.responseMs),
        peakRssMB: m.warmed[k]?.peakRssMB,
        peakRssAfterWarmupMB: m.warmed[k]?.peakRssAfterWarmupMB,
        spansReceived: m.warmed[k]?.spansReceived,
        invocations: m.warmed[k]?.invocations,
      },
    ]),
  );
  const freshSizes = Object.fromEntries(Object.entries(fresh.sizes).map(([k, z]) => [k, { minBytes: z.minBytes, gzipBytes: z.gzipBytes }]));
  const body = { meta, summary, fresh: { sizes: freshSizes, samples: freshSamples }, samples: { cold: m.cold, warm: m.warmed, hang: m.hang }, ...text };
  fs.mkdirSync(path.join(BENCH, 'results'), { recursive: true });
  fs.writeFileSync(path.join(BENCH, 'results', 'latest.json'), JSON.stringify(body, null, 2) + '\n');
  log(`wrote bench/results/latest.json`);
}

function peerVersions(): Record<string, string> {
  const ver = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const peers = path.join(BENCH, 'peers');
  const at = (tree: string, name: string): [string, string][] => {
    const dir = path.join(peers, tree, 'node_modules', name);
    return fs.existsSync(dir) ? [[name, ver(dir)]] : [];
  };
  return Object.fromEntries([
    ...at('', 'openai'),
    ...at('', '@opentelemetry/sdk-node'),
    ...at('', '@opentelemetry/instrumentation-aws-lambda'),
    ...at('', '@opentelemetry/instrumentation-openai'),
    ...at('adot', '@aws/aws-distro-opentelemetry-node-autoinstrumentation'),
    ...at('powertools', '@aws-lambda-powertools/tracer'),
    ...at('powertools', 'aws-xray-sdk-core'),
    ...at('sentry', '@sentry/aws-serverless'),
  ]);
}
