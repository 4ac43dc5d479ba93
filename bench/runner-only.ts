/**
 * Only our rows of the runner: cold starts (and optionally warm invocations) of bare, ours and ours-after through
 * the local Lambda runner, for A/B work without the peers: `node bench/runner-only.ts [coldRounds] [warm]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOpenAIServer } from '../tools/openai-server/index.ts';
import { startOtlpReceiver } from '../tools/otlp/index.ts';
import { coldStarts, failures, warm, type Parts, type Run } from './phases.ts';
import { stat } from './report.ts';
import { ROOT, buildOurs, NOT_EXPORTING } from './setup.ts';
import { startSentryEndpoint, startXrayDaemon } from './sinks.ts';

const rounds = Number(process.argv[2] ?? 9);
const warmCount = Number(process.argv[3] ?? 0);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-runner-'));
const variants = await buildOurs(out, fs.existsSync(path.join(ROOT, 'tools', 'runner', 'extensions-api.ts')));
const receiver = await startOtlpReceiver();
const server = await startOpenAIServer();
const xray = startXrayDaemon();
const sentry = await startSentryEndpoint();
const parts: Parts = { receiver, server, xray, sentry, log: (s) => process.stderr.write(`${s}\n`) };
const runs: Run[] = variants.map((variant) => ({ key: variant.id, variant }));
// The bench's "warm, not exporting" row: spans queued, never exported.
const NO_EXPORT = NOT_EXPORTING;
const ours = variants.find((v) => v.id === 'ours');
const warmRuns: Run[] = [...runs, ...(ours ? [{ key: 'ours-noexport', variant: ours, env: NO_EXPORT }] : [])];
const line = (key: string, what: string, xs: number[], base?: number[]) => {
  const s = stat(xs);
  const b = base ? stat(base) : undefined;
  const ratio = s && b ? ` ×${(s.median / b.median).toFixed(3)} (+${(s.median - b.median).toFixed(1)})` : '';
  process.stdout.write(`${key.padEnd(12)} ${what.padEnd(22)} ${s?.median.toFixed(2)} [${s?.p25.toFixed(2)}–${s?.p75.toFixed(2)}]${ratio}\n`);
};
try {
  const cold = await coldStarts(runs, rounds, parts);
  for (const r of runs) {
    const c = cold[r.key]!;
    line(r.key, 'init ms', c.initMs, cold.bare?.initMs);
    line(r.key, 'first invoke ms', c.firstInvokeMs, cold.bare?.firstInvokeMs);
    line(r.key, 'cold start ms', c.totalMs, cold.bare?.totalMs);
  }
  if (warmCount > 0) {
    const w = await warm(warmRuns, 20, warmCount, parts);
    for (const r of warmRuns) {
      line(r.key, 'warm CPU ms/inv', w[r.key]!.cpuMsPerChunk, w.bare?.cpuMsPerChunk);
      line(r.key, 'warm wall ms', w[r.key]!.wallMs, w.bare?.wallMs);
      process.stdout.write(`${r.key.padEnd(12)} peak RSS MB            ${w[r.key]!.peakRssMB} (after warm-up ${w[r.key]!.peakRssAfterWarmupMB})\n`);
    }
  }
  if (failures.length) process.stdout.write(`failures:\n${failures.join('\n')}\n`);
} finally {
  await Promise.all([receiver.close(), server.close(), xray.close(), sentry.close()]);
}
