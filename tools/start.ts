/**
 * `npm start`: the example app end to end on this machine, loopback only.
 *
 * Builds the bundles, starts an OTLP receiver, the OpenAI-compatible local model and the SQS emulator on
 * 127.0.0.1, then runs the functions of template.yaml through the local Lambda runner (real aws-lambda-ric,
 * frozen between invocations): the API function cold and then warm, the streaming function, and the producer,
 * whose queued message is handed to the worker as an SQS event. Prints every trace as a tree and writes an HTML
 * waterfall.
 *
 * OTEL_EXPORTER_OTLP_ENDPOINT set: spans go there instead (nothing can be shown here). OPENAI_API_KEY set: the
 * functions call that OpenAI (or OPENAI_BASE_URL) instead of the local model.
 *
 *   node tools/start.ts [--outdir build/lambda] [--html build/traces.html] [--no-build]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startOpenAIServer } from './openai-server.ts';
import type { OpenAIServer } from './openai-server.ts';
import { startOtlpReceiver } from './otlp-receiver.ts';
import type { OtlpReceiver, ReceivedSpan } from './otlp-receiver.ts';
import { loadFunctionConfig, startSandbox } from './runner/index.ts';
import type { InvokeResult, Sandbox } from './runner/index.ts';
import { startSqsEmulator } from './sqs-emulator.ts';
import type { SqsEmulator } from './sqs-emulator.ts';
import { renderHtml, renderText } from './trace-view.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE = path.join(ROOT, 'template.yaml');
const QUEUE = 'jobs';

const { values: args } = parseArgs({
  options: {
    outdir: { type: 'string' },
    html: { type: 'string' },
    'no-build': { type: 'boolean' },
  },
});
const htmlPath = path.resolve(ROOT, args.html ?? 'build/traces.html');
const say = (line = '') => process.stdout.write(line + '\n');

const sandboxes: Sandbox[] = [];
let receiver: OtlpReceiver | undefined;
let model: OpenAIServer | undefined;
let sqs: SqsEmulator | undefined;

async function cleanup(): Promise<void> {
  await Promise.allSettled(sandboxes.map((s) => s.shutdown()));
  sandboxes.length = 0;
  await Promise.allSettled([receiver?.close(), model?.close(), sqs?.close()]);
}

function readEvent(file: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'events', file), 'utf8')) as Record<string, any>;
}

function summary(r: InvokeResult): string {
  if (r.error) return `✗ ${r.error.errorType}: ${r.error.errorMessage}`;
  const res = r.result as { statusCode?: number; body?: string } | undefined;
  if (res && typeof res.statusCode === 'number') {
    const body = typeof res.body === 'string' ? res.body : '';
    return `${res.statusCode} ${body.length > 160 ? body.slice(0, 157) + '...' : body}`;
  }
  return JSON.stringify(r.result);
}

async function main(): Promise<number> {
  say('lambda-llm-tracing: the example app, run locally (loopback only)\n');

  if (!args['no-build']) {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'build.mjs'), ...(args.outdir ? ['--outdir', args.outdir] : [])], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) {
      say('build failed');
      return 1;
    }
    say();
  }

  // Where spans and model calls go.
  const externalOtlp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const externalKey = process.env.OPENAI_API_KEY?.trim();
  const env: Record<string, string> = {};
  if (externalOtlp) {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = externalOtlp;
    if (process.env.OTEL_EXPORTER_OTLP_HEADERS) env.OTEL_EXPORTER_OTLP_HEADERS = process.env.OTEL_EXPORTER_OTLP_HEADERS;
    say(`spans     → ${externalOtlp} (OTEL_EXPORTER_OTLP_ENDPOINT is set: no local receiver, so the traces cannot be shown here)`);
  } else {
    receiver = await startOtlpReceiver({ host: '127.0.0.1' });
    env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    say(`spans     → local OTLP receiver ${receiver.url}`);
  }
  if (externalKey) {
    env.OPENAI_API_KEY = externalKey;
    if (process.env.OPENAI_BASE_URL) env.OPENAI_BASE_URL = process.env.OPENAI_BASE_URL;
    say(`model     → ${process.env.OPENAI_BASE_URL || 'https://api.openai.com/v1'} (OPENAI_API_KEY is set: real model calls, billed to that key)`);
  } else {
    model = await startOpenAIServer({ host: '127.0.0.1', chunkDelayMs: 15 });
    env.OPENAI_API_KEY = 'sk-local-not-a-real-key';
    env.OPENAI_BASE_URL = model.url;
    say(`model     → local OpenAI-compatible server ${model.url} (deterministic answers)`);
  }
  sqs = await startSqsEmulator({ host: '127.0.0.1', queues: [QUEUE] });
  say(`queue     → SQS emulator ${sqs.url} (queue ${QUEUE})\n`);

  const logged = new Set<string>();
  const open = async (functionId: string, extra: Record<string, string> = {}): Promise<Sandbox> => {
    const fn = loadFunctionConfig({ template: TEMPLATE, functionId });
    const sb = await startSandbox({
      template: TEMPLATE,
      functionId,
      env: { ...env, ...extra },
      ...(args.outdir ? { codeDir: path.resolve(ROOT, args.outdir, path.basename(fn.codeDir)) } : {}),
      log: (line) => {
        if (!logged.has(line)) say(line); // the "runtime client" line, once
        logged.add(line);
      },
    });
    sandboxes.push(sb);
    return sb;
  };

  const requestIds: string[] = [];
  let failed = false;
  const run = async (sb: Sandbox, functionId: string, label: string, event: unknown): Promise<InvokeResult> => {
    const r = await sb.invoke(event);
    requestIds.push(r.requestId);
    if (r.error || r.timedOut) failed = true;
    say(`▶ ${functionId.padEnd(17)} ${label.padEnd(44)} ${r.coldStart ? 'cold' : 'warm'} ${r.durationMs.toFixed(0).padStart(5)} ms  ${summary(r)}`);
    if (r.error) say(r.logs.replace(/\r(?!\n)/g, '\n'));
    return r;
  };

  // 1. The API function: cold start with the event's traceparent, then warm in a new trace.
  const api = await open('ApiFunction');
  const apiEvent = readEvent('api.json');
  await run(api, 'ApiFunction', 'events/api.json', apiEvent);
  const warmEvent = structuredClone(apiEvent);
  delete warmEvent.headers.traceparent;
  warmEvent.body = JSON.stringify({ question: 'And what does the flush budget bound?' });
  await run(api, 'ApiFunction', 'events/api.json, no traceparent (warm)', warmEvent);

  // 2. A streamed completion: the model span has the time to first token.
  const stream = await open('StreamFunction');
  await run(stream, 'StreamFunction', 'events/stream.json', readEvent('stream.json'));

  // 3. Producer → queue → worker: one trace.
  const producer = await open('ProducerFunction', { QUEUE_URL: sqs.queueUrl(QUEUE), AWS_ENDPOINT_URL_SQS: sqs.url });
  await run(producer, 'ProducerFunction', 'events/producer.json', readEvent('producer.json'));
  const worker = await open('WorkerFunction');
  const batch = sqs.receiveEvent(QUEUE, 5);
  if (!batch) {
    say(`✗ the producer left no message on ${QUEUE}`);
    failed = true;
  } else {
    const r = await run(worker, 'WorkerFunction', `${batch.Records.length} message(s) from the ${QUEUE} queue`, batch);
    const retried = sqs.settleEvent(QUEUE, batch, { result: r.result, failed: Boolean(r.error) });
    if (retried.length) say(`  ${retried.length} message(s) reported as failed go back to the queue`);
  }

  if (!receiver) {
    await cleanup();
    say(`\nSpans were sent to ${externalOtlp}; look for them there.`);
    return failed ? 1 : 0;
  }

  // Every invocation flushed before it returned; wait briefly in case an export is still being answered.
  const has = (spans: ReceivedSpan[]) => requestIds.every((id) => spans.some((s) => s.attributes['faas.invocation.id'] === id));
  try {
    await receiver.waitForSpans(has, 5000);
  } catch (err) {
    say(`✗ ${(err as Error).message}`);
    failed = true;
  }
  const spans = [...receiver.spans];
  await cleanup();

  say(`\n${spans.length} spans in ${new Set(spans.map((s) => s.traceId)).size} traces:\n`);
  say(renderText(spans));
  fs.mkdirSync(path.dirname(htmlPath), { recursive: true });
  fs.writeFileSync(htmlPath, renderHtml(spans));
  say(`HTML waterfall: ${htmlPath}`);
  return failed ? 1 : 0;
}

const interrupt = () => {
  void cleanup().finally(() => process.exit(130));
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await cleanup();
    process.exit(1);
  },
);
