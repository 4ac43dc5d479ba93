/**
 * `npm start`: the example app end to end on this machine, loopback only.
 *
 * Builds the bundles, starts an OTLP receiver, the OpenAI-compatible local model and the SQS emulator on
 * 127.0.0.1, then runs the functions of template.yaml through the local Lambda runner (real aws-lambda-ric,
 * frozen between invocations, our extension loaded as the template's NODE_OPTIONS say): the API function cold
 * and then warm, the response-streaming function (as its Function URL would call it), and the producer, whose
 * queued message is handed to the worker as an SQS event. For each invocation it shows the export mode and how
 * long the sandbox stayed thawed after the response; for the stream, the first-byte time and the streamed text.
 * Prints every trace as a tree and writes an HTML waterfall.
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
import { startOpenAIServer } from './openai-server/index.ts';
import type { OpenAIServer } from './openai-server/index.ts';
import { startOtlpReceiver } from './otlp/index.ts';
import type { OtlpReceiver, ReceivedSpan } from './otlp/index.ts';
import { loadFunctionConfig, startSandbox } from './runner/index.ts';
import type { InvokeResult, Sandbox } from './runner/index.ts';
import { startSqsEmulator } from './sqs-emulator/index.ts';
import type { SqsEmulator } from './sqs-emulator/index.ts';
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

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max - 3) + '...' : text);
const msText = (ms: number | undefined) => (ms === undefined ? '?' : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

function summary(r: InvokeResult): string {
  if (r.error) return `✗ ${r.error.errorType}: ${r.error.errorMessage}`;
  if (r.streamed) {
    const prelude = r.streamed.prelude as { statusCode?: number; headers?: Record<string, string> } | undefined;
    const type = prelude?.headers?.['content-type'] ?? r.streamed.contentType ?? '';
    return `${prelude?.statusCode ?? '?'} ${type}, streamed, first byte after ${msText(r.streamed.firstByteMs)}`;
  }
  const res = r.result as { statusCode?: number; body?: string } | undefined;
  if (res && typeof res.statusCode === 'number') {
    const body = typeof res.body === 'string' ? res.body : '';
    return `${res.statusCode} ${clip(body, 160)}`;
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
  say(`queue     → SQS emulator ${sqs.url} (queue ${QUEUE})`);
  say(`export    → after the response: template.yaml loads extension.mjs (NODE_OPTIONS=--import), the sandbox stays thawed until the spans are out\n`);

  const logged = new Set<string>();
  const open = async (functionId: string, extra: Record<string, string> = {}): Promise<Sandbox> => {
    const fn = loadFunctionConfig({ template: TEMPLATE, functionId });
    const codeDir = args.outdir ? path.resolve(ROOT, args.outdir, path.basename(fn.codeDir)) : fn.codeDir;
    const sb = await startSandbox({
      template: TEMPLATE,
      functionId,
      env: { ...env, ...extra },
      codeDir,
      log: (line) => {
        if (!logged.has(line)) say(line); // the "runtime client" line, once
        logged.add(line);
      },
    });
    sandboxes.push(sb);
    return sb;
  };

  /**
   * The mode in force, from the invocation span (which is at the local receiver before invoke returns: the
   * sandbox freezes only once the export is done); without a local receiver, from the registered extensions.
   */
  const exportModeOf = (sb: Sandbox, r: InvokeResult): string => {
    const span = receiver?.spans.find((s) => s.attributes['faas.invocation.id'] === r.requestId);
    const mode = span?.attributes['llm.export.mode'];
    if (typeof mode === 'string') return mode;
    return sb.extensions.includes('lambda-llm-tracing') ? 'after-response (extension registered)' : 'before-response (no extension)';
  };

  const requestIds: string[] = [];
  let failed = false;
  const indent = ' '.repeat(20);
  const run = async (sb: Sandbox, functionId: string, label: string, event: unknown): Promise<InvokeResult> => {
    const r = await sb.invoke(event);
    requestIds.push(r.requestId);
    if (r.error || r.timedOut) failed = true;
    say(`▶ ${functionId.padEnd(17)} ${label.padEnd(44)} ${r.coldStart ? 'cold' : 'warm'} ${r.durationMs.toFixed(0).padStart(5)} ms  ${summary(r)}`);
    if (r.streamed) say(`${indent}streamed: ${JSON.stringify(clip(r.streamed.body, 300))}`);
    const thawed = r.postRuntimeMs === undefined ? 'not measured' : `${msText(r.postRuntimeMs)} after the response`;
    say(`${indent}export ${exportModeOf(sb, r)} · sandbox thawed ${thawed}`);
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

  // 2. The Function URL in RESPONSE_STREAM mode: tokens written as they come; first byte and time to first token.
  const stream = await open('StreamFunction');
  const streamed = await run(stream, 'StreamFunction', 'events/stream.json (Function URL)', readEvent('stream.json'));
  if ((streamed.streamed?.prelude as { statusCode?: number } | undefined)?.statusCode !== 200) failed = true;

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

  // Every invocation's spans were exported before its sandbox froze; wait briefly in case one is still in flight.
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
