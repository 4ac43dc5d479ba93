/**
 * The wrapper's own CPU per warm invocation, in-process: `node bench/warm-micro.ts [invocations]`. A handler that
 * answers at once, bare and through `withLlmTracing` (spans queued, not exported: the bench's "not exporting"
 * settings), each in a fresh Node process from a minified bundle, called in a loop after a warm-up; µs per
 * invocation from process.cpuUsage, and the RSS after 1,000 invocations.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { BENCH, NOT_EXPORTING } from './setup.ts';

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = 5;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-warm-'));
const entries = {
  bare: `export const handler = async (event) => ({ statusCode: 200, body: String(event?.question) });`,
  ours: `import { withLlmTracing } from ${JSON.stringify(path.join(BENCH, '..', 'src', 'index.ts'))};
export const handler = withLlmTracing(async (event) => ({ statusCode: 200, body: String(event?.question) }));`,
};
const driver = `
const { handler } = await import(process.argv[2]);
const n = Number(process.argv[3]);
const event = { question: 'What does a lighthouse keeper do?' };
let i = 0;
const context = () => ({ awsRequestId: 'req-' + i, functionName: 'warm', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:warm', memoryLimitInMB: '1024', getRemainingTimeInMillis: () => 30000 });
for (; i < 1000; i++) await handler(event, context());
const rss1000 = process.memoryUsage().rss;
for (; i < 3000; i++) await handler(event, context());
const c0 = process.cpuUsage();
for (let j = 0; j < n; j++, i++) await handler(event, context());
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ usPerInvocation: (c.user + c.system) / n, rss1000MB: rss1000 / 1048576 }) + '\\n');
process.exit(0);
`;
fs.writeFileSync(path.join(dir, 'driver.mjs'), driver);
for (const [name, code] of Object.entries(entries)) {
  fs.writeFileSync(path.join(dir, `${name}.ts`), code);
  await build({
    entryPoints: [path.join(dir, `${name}.ts`)],
    outfile: path.join(dir, `${name}.mjs`),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
}
const env = {
  PATH: process.env.PATH ?? '',
  AWS_LAMBDA_FUNCTION_NAME: 'warm',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces',
  ...NOT_EXPORTING,
};
const results: Record<string, { us: number[]; rss: number[] }> = { bare: { us: [], rss: [] }, ours: { us: [], rss: [] } };
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 ? ['ours', 'bare'] : ['bare', 'ours']) {
    const out = spawnSync(process.execPath, [path.join(dir, 'driver.mjs'), path.join(dir, `${name}.mjs`), String(N)], { env, encoding: 'utf8' });
    const line = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as { usPerInvocation: number; rss1000MB: number };
    results[name]!.us.push(line.usPerInvocation);
    results[name]!.rss.push(line.rss1000MB);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const b = results.bare!;
const o = results.ours!;
process.stdout.write(
  `warm, not exporting, ${N} invocations × ${ROUNDS} processes: bare ${median(b.us).toFixed(2)} µs, ours ${median(o.us).toFixed(2)} µs per invocation (+${(median(o.us) - median(b.us)).toFixed(2)} µs); RSS after 1,000: bare ${median(b.rss).toFixed(1)} MB, ours ${median(o.rss).toFixed(1)} MB (+${(median(o.rss) - median(b.rss)).toFixed(1)})\n`,
);
