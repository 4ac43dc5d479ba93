/**
 * `npm run bench`: our wrapper against a bare handler and two peers, all through the local Lambda runner, every
 * figure a median with its spread and a ratio to the bare handler measured in the same run. Prints a markdown
 * table and writes bench/results/latest.json. See bench/README.md for the method.
 *
 *   BENCH_QUICK=1 npm run bench   # fewer repetitions, to try it out
 */
import { parseCli } from '../tools/cli.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOpenAIServer } from '../tools/openai-server/index.ts';
import { startOtlpReceiver } from '../tools/otlp/index.ts';
import { coldStarts, failures, hangingCollector, open, spansFrom, warm, type Parts, type Run } from './phases.ts';
import { cell, kib, markdownTable, stat, type Stat } from './report.ts';
import { BENCH, ROOT, buildVariants, installPeers, type Variant, type VariantId } from './setup.ts';

parseCli(
  'npm run bench',
  `usage: npm run bench [-- --help]
  Cold start, bundle size, warm overhead, flush latency and memory: ours against a bare handler and two peers,
  through the local runner (about 4 minutes on 2 cores; the peers install into bench/peers on the first run).
  Prints a markdown table and writes bench/results/latest.json.
  BENCH_QUICK=1 npm run bench   fewer repetitions, to try it out`,
  {},
);

const quick = process.env.BENCH_QUICK === '1';
const COLD_ROUNDS = quick ? 3 : 12;
const WARMUP = 20;
const WARM = quick ? 100 : 1000;
const HANG = quick ? 1 : 3;

const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}\n`);

installPeers(log);
const extensionsApi = fs.existsSync(path.join(ROOT, 'tools', 'runner', 'extensions-api.ts'));
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-bench-'));
log(`building variants in ${out}`);
const variants = await buildVariants(out, extensionsApi);
const v = (id: VariantId): Variant | undefined => variants.find((x) => x.id === id);
const receiver = await startOtlpReceiver();
const server = await startOpenAIServer();
const parts: Parts = { receiver, server, log };

const run = (key: string, id: VariantId, env?: Record<string, string>): Run[] => {
  const variant = v(id);
  return variant ? [{ key, variant, ...(env ? { env } : {}) }] : [];
};
const NO_EXPORT = {
  LLM_TRACING_FLUSH_BUDGET_MS: '0',
  OTEL_BSP_SCHEDULE_DELAY: '3600000',
  OTEL_BSP_MAX_QUEUE_SIZE: '1000000',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1000000',
};
const main: Run[] = [...run('bare', 'bare'), ...run('ours', 'ours'), ...run('ours-after', 'ours-after'), ...run('otel', 'otel'), ...run('adot', 'adot')];

const LABELS: Record<string, string> = {
  bare: 'bare handler',
  ours: 'ours (export before response)',
  'ours-after': 'ours (export after response, extension)',
  otel: '(a) OTel SDK + instrumentations',
  adot: '(b) ADOT Lambda layer',
};

try {
  log(`cold starts: ${COLD_ROUNDS} rounds × ${main.length} variants`);
  const cold = await coldStarts(main, COLD_ROUNDS, parts);

  receiver.clear();
  const warmRuns = [...run('bare', 'bare'), ...run('ours-noexport', 'ours', NO_EXPORT), ...main.filter((r) => r.key !== 'bare')];
  log(`warm: ${WARMUP} + ${WARM} invocations × ${warmRuns.length} sandboxes, interleaved`);
  const warmed = await warm(warmRuns, WARMUP, WARM, parts);

  log(`hanging collector: ${HANG} invocation(s) each`);
  const hang = await hangingCollector(main.filter((r) => r.variant.traces), HANG, parts);

  // The OTel setup exactly as its README has it, without the line that lets the aws-lambda instrumentation flush.
  receiver.clear();
  let asDocumented: number | undefined;
  const otel = v('otel');
  if (otel) {
    const sb = await open({ key: 'otel-as-documented', variant: otel, env: { BENCH_OTEL_AS_DOCUMENTED: '1' } }, parts);
    for (let i = 0; i < 3; i++) await sb.invoke({ question: 'hi' });
    asDocumented = spansFrom(receiver, 'otel-as-documented');
    await sb.shutdown();
  }

  report(cold, warmed, hang, asDocumented);
} finally {
  await receiver.close();
  await server.close();
  fs.rmSync(out, { recursive: true, force: true });
}

function report(
  cold: Awaited<ReturnType<typeof coldStarts>>,
  warmed: Awaited<ReturnType<typeof warm>>,
  hang: Awaited<ReturnType<typeof hangingCollector>>,
  asDocumented: number | undefined,
): void {
  const cols = main.map((r) => r.key);
  const row = (label: string, f: (key: string) => string) => [label, ...cols.map(f)];
  const s = (xs: number[] | undefined) => stat(xs);
  const base = {
    cold: s(cold['bare']?.totalMs),
    init: s(cold['bare']?.initMs),
    first: s(cold['bare']?.firstInvokeMs),
    wall: s(warmed['bare']?.wallMs),
    cpu: s(warmed['bare']?.cpuMsPerChunk),
  };
  const warmKey = (key: string, exporting: boolean) => (key === 'ours' && !exporting ? 'ours-noexport' : key);
  const diff = (a: Stat | undefined, b: Stat | undefined) => (a && b ? `${(a.median - b.median).toFixed(2)}` : 'n/a');
  const size = (key: string) => v(key as VariantId)?.size;
  const bareSize = size('bare')!;
  const rows = [
    row('Cold start: init + first response, ms', (k) => cell(s(cold[k]?.totalMs), k === 'bare' ? undefined : base.cold, { digits: 0 })),
    row('… init (import of the code), ms', (k) => cell(s(cold[k]?.initMs), k === 'bare' ? undefined : base.init, { digits: 0 })),
    row('… first invocation, ms', (k) => cell(s(cold[k]?.firstInvokeMs), k === 'bare' ? undefined : base.first, { digits: 1 })),
    row('Code size, minified / gzip, KiB', (k) => {
      const z = size(k)!;
      return `${kib(z.minBytes)} / ${kib(z.gzipBytes)}${k === 'bare' ? '' : ` ×${(z.gzipBytes / bareSize.gzipBytes).toFixed(2)}`}${z.onDiskBytes ? ` (runs from ${(z.onDiskBytes / 2 ** 20).toFixed(0)} MiB of node_modules)` : ''}`;
    }),
    row('Warm, not exporting: wall ms/invocation', (k) =>
      k === 'bare' || k === 'ours' ? cell(s(warmed[warmKey(k, false)]?.wallMs), k === 'bare' ? undefined : base.wall, { digits: 2 }) : 'n/a (flushes on every invocation)'),
    row('Warm, not exporting: CPU ms/invocation', (k) =>
      k === 'bare' || k === 'ours' ? cell(s(warmed[warmKey(k, false)]?.cpuMsPerChunk), k === 'bare' ? undefined : base.cpu, { digits: 2 }) : 'n/a'),
    row('Warm, exporting (loopback collector): wall ms/invocation', (k) => cell(s(warmed[k]?.wallMs), k === 'bare' ? undefined : base.wall, { digits: 2 })),
    row('Warm, exporting: CPU ms/invocation', (k) => cell(s(warmed[k]?.cpuMsPerChunk), k === 'bare' ? undefined : base.cpu, { digits: 2 })),
    row('Response latency added vs bare (exporting), ms', (k) => (k === 'bare' ? '0' : diff(s(warmed[k]?.wallMs), base.wall))),
    row('… of which the flush (loopback), ms', (k) => (k === 'ours' ? diff(s(warmed['ours']?.wallMs), s(warmed['ours-noexport']?.wallMs)) : k === 'ours-after' ? '0 (after the response)' : 'n/a')),
    row('Post-response time billed (warm), ms', (k) => (k === 'ours-after' ? cell(s(warmed[k]?.postRuntimeMs), undefined, { digits: 2 }) : k === 'bare' ? '' : 'n/a')),
    row(`Response with a hanging collector, ms (n=${HANG}, [min–max])`, (k) => {
      const h = hang[k];
      if (!h) return 'no export';
      const post = s(h.postRuntimeMs);
      return cell(s(h.responseMs), undefined, { digits: 0, range: true }) + (k === 'ours-after' && post ? `, then ${post.median.toFixed(0)} billed after it` : '');
    }),
    row(`Peak RSS after ${WARM.toLocaleString('en')} warm invocations, MB (Δ since warm-up)`, (k) => {
      const w = warmed[k];
      if (!w?.peakRssMB) return 'n/a';
      const b = warmed['bare']?.peakRssMB;
      return `${w.peakRssMB}${b && k !== 'bare' ? ` ×${(w.peakRssMB / b).toFixed(2)}` : ''} (+${w.peakRssMB - (w.peakRssAfterWarmupMB ?? w.peakRssMB)})`;
    }),
    row('Spans received per warm invocation', (k) => ((warmed[k]?.spansReceived ?? 0) / Math.max(1, warmed[k]?.invocations ?? 1)).toFixed(2)),
  ];
  if (!v('ours-after')) rows.push(['After-response export (extension)', 'TODO: the runner has no Extensions API yet (tools/runner/extensions-api.ts)', '', '', '']);
  const header = ['', ...cols.map((k) => LABELS[k] ?? k)];
  const table = markdownTable(header, rows);

  const meta = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    node: process.version,
    peers: peerVersions(),
    runs: { coldRounds: COLD_ROUNDS, warmup: WARMUP, warm: WARM, hang: HANG },
    benchSeconds: Math.round((performance.now() - started) / 1000),
    failures,
    otelAsDocumentedSpansIn3Invocations: asDocumented,
  };
  const notes = [
    `${meta.date.slice(0, 10)} · ${meta.machine} · Node ${meta.node} (aws-lambda-ric through tools/runner, SIGSTOP between invocations) · \`npm run bench\` (${meta.benchSeconds} s)`,
    'Cells: median [p25–p75] ×ratio to bare in the same run. Cold starts interleaved across variants; warm invocations interleaved one by one.',
    `Peers: ${Object.entries(meta.peers).map(([n, ver]) => `${n} ${ver}`).join(', ')}.`,
    asDocumented !== undefined ? `OTel setup exactly as its README shows it (no setTracerProvider fix): ${asDocumented} spans received from 3 invocations.` : '',
    failures.length ? `FAILED INVOCATIONS (${failures.length}): ${failures.slice(0, 5).join('; ')}` : 'Every invocation returned the handler\'s own result.',
  ].filter(Boolean);
  process.stdout.write(`${table}\n\n${notes.map((n) => `${n}  `).join('\n')}\n`);
  fs.mkdirSync(path.join(BENCH, 'results'), { recursive: true });
  const summary = Object.fromEntries(cols.concat('ours-noexport').map((k) => [k, {
    coldTotalMs: s(cold[k]?.totalMs), coldInitMs: s(cold[k]?.initMs), coldFirstInvokeMs: s(cold[k]?.firstInvokeMs),
    size: size(k === 'ours-noexport' ? 'ours' : k), warmWallMs: s(warmed[k]?.wallMs), warmCpuMs: s(warmed[k]?.cpuMsPerChunk),
    postRuntimeMs: s(warmed[k]?.postRuntimeMs), hangResponseMs: s(hang[k]?.responseMs), peakRssMB: warmed[k]?.peakRssMB,
    peakRssAfterWarmupMB: warmed[k]?.peakRssAfterWarmupMB, spansReceived: warmed[k]?.spansReceived, invocations: warmed[k]?.invocations,
  }]));
  fs.writeFileSync(path.join(BENCH, 'results', 'latest.json'), JSON.stringify({ meta, summary, samples: { cold, warm: warmed, hang }, table }, null, 2) + '\n');
  log(`wrote bench/results/latest.json`);
}

function peerVersions(): Record<string, string> {
  const ver = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const nm = path.join(BENCH, 'peers', 'node_modules');
  const adot = path.join(BENCH, 'peers', 'adot', 'node_modules');
  return {
    openai: ver(path.join(nm, 'openai')),
    '@opentelemetry/sdk-node': ver(path.join(nm, '@opentelemetry/sdk-node')),
    '@opentelemetry/instrumentation-aws-lambda': ver(path.join(nm, '@opentelemetry/instrumentation-aws-lambda')),
    '@opentelemetry/instrumentation-openai': ver(path.join(nm, '@opentelemetry/instrumentation-openai')),
    '@aws/aws-distro-opentelemetry-node-autoinstrumentation': ver(path.join(adot, '@aws/aws-distro-opentelemetry-node-autoinstrumentation')),
  };
}
