/**
 * The per-invocation CPU of a warm handler that makes one OpenAI call, in-process: `node bench/warm-openai.ts
 * [invocations]`. Three minified bundles, each in a fresh Node process against the local model server: bare, the
 * handler through `withLlmTracing` with the client untraced, and with the client through `traceOpenAI` too;
 * spans queued, not exported (the bench's "not exporting" settings), the collector endpoint refusing (so a
 * warm-up that retried connecting on every invocation would show). µs per invocation from process.cpuUsage,
 * three interleaved rounds.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOpenAIServer } from '../tools/openai-server/index.ts';
import { BENCH, esm, NOT_EXPORTING } from './setup.ts';

const N = Number(process.argv[2] ?? 2000);
const SRC = JSON.stringify(path.join(BENCH, '..', 'src', 'index.ts'));
const CLIENT = `new OpenAI({ apiKey: 'sk-bench-not-a-key', baseURL: process.env.BENCH_MODEL_URL, maxRetries: 0 })`;
const CALL = `await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }); return { statusCode: 200 };`;
const entries: Record<string, string> = {
  bare: `import OpenAI from 'openai'; const client = ${CLIENT}; export const handler = async () => { ${CALL} };`,
  wrapper: `import OpenAI from 'openai'; import { withLlmTracing } from ${SRC}; const client = ${CLIENT};
export const handler = withLlmTracing(async () => { ${CALL} });`,
  traced: `import OpenAI from 'openai'; import { traceOpenAI, withLlmTracing } from ${SRC}; const client = traceOpenAI(${CLIENT});
export const handler = withLlmTracing(async () => { ${CALL} });`,
};
const driver = `const { handler } = await import(process.argv[2]); const n = Number(process.argv[3]); let i = 0;
const context = () => ({ awsRequestId: 'req-' + i, functionName: 'warm', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:warm', memoryLimitInMB: '1024', getRemainingTimeInMillis: () => 30000 });
for (; i < 500; i++) await handler({}, context());
const c0 = process.cpuUsage(); for (let j = 0; j < n; j++, i++) await handler({}, context()); const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ us: (c.user + c.system) / n }) + '\\n'); process.exit(0);`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-warm-openai-'));
fs.writeFileSync(path.join(dir, 'driver.mjs'), driver);
for (const [name, code] of Object.entries(entries)) {
  fs.writeFileSync(path.join(dir, `${name}.ts`), code);
  await esm(path.join(dir, `${name}.ts`), path.join(dir, `${name}.mjs`), { alias: { openai: 'openai6' }, nodePaths: [path.join(BENCH, '..', 'node_modules')] });
}
const server = await startOpenAIServer();
const env = {
  PATH: process.env.PATH ?? '',
  BENCH_MODEL_URL: server.url,
  AWS_LAMBDA_FUNCTION_NAME: 'warm',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces',
  ...NOT_EXPORTING,
};
const once = (name: string) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(dir, 'driver.mjs'), path.join(dir, `${name}.mjs`), String(N)], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.on('close', () => {
      try {
        resolve((JSON.parse(out) as { us: number }).us);
      } catch (error) {
        reject(error);
      }
    });
  });
const samples: Record<string, number[]> = { bare: [], wrapper: [], traced: [] };
try {
  for (let round = 0; round < 3; round++) for (const name of Object.keys(samples)) samples[name]!.push(await once(name));
} finally {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bare = median(samples.bare!);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  process.stdout.write(
    `${name.padEnd(8)} ${m.toFixed(0).padStart(5)} µs/invocation${name === 'bare' ? '' : ` (+${(m - bare).toFixed(0)})`}   [${xs.map((x) => x.toFixed(0)).join(', ')}]\n`,
  );
}
