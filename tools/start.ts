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
 * functions call that OpenAI (or OPENAI_BASE_URL) instead of the local model; a collector that does not take the
 * spans is named with the cause (refused, timed out, HTTP status) and the run fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli, runMain } from './cli.ts';
import type { ReceivedSpan } from './otlp/index.ts';
import { closeEndpoints, QUEUE, reportExternal, startEndpoints } from './start/endpoints.ts';
import type { Endpoints } from './start/endpoints.ts';
import { openSandbox, readEvent, run } from './start/invocations.ts';
import type { Session } from './start/invocations.ts';
import { renderHtml, renderText } from './trace-view.ts';

const USAGE = `usage: npm start [-- --outdir build/lambda] [--html build/traces.html] [--no-build]
  Builds the example app, runs its functions through the local Lambda runner against a local OTLP receiver,
  model and SQS emulator on 127.0.0.1, prints each trace as a tree and writes an HTML waterfall.
  --outdir DIR   where the bundles are built (default build/lambda)
  --html FILE    where the waterfall is written (default build/traces.html)
  --no-build     run the bundles already in --outdir
  OTEL_EXPORTER_OTLP_ENDPOINT  send the spans to that collector instead (checked: refused, timed out, HTTP status)
  OPENAI_API_KEY               call OpenAI (or OPENAI_BASE_URL) instead of the local model`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseCli('npm start', USAGE, {
  outdir: { type: 'string' },
  html: { type: 'string' },
  'no-build': { type: 'boolean' },
});
const htmlPath = path.resolve(ROOT, args.html ?? 'build/traces.html');
const say = (line = '') => process.stdout.write(line + '\n');
const endpoints: Endpoints = { env: {} };
const session: Session = {
  root: ROOT,
  template: path.join(ROOT, 'template.yaml'),
  outdir: args.outdir,
  env: endpoints.env,
  receiver: undefined,
  say,
  sandboxes: [],
  requestIds: [],
  failed: false,
  logged: new Set(),
};

async function cleanup(): Promise<void> {
  await Promise.allSettled(session.sandboxes.map((s) => s.shutdown()));
  session.sandboxes.length = 0;
  await closeEndpoints(endpoints);
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
  await startEndpoints(endpoints, say);
  session.receiver = endpoints.receiver;
  await invokeAll(session, endpoints);
  if (endpoints.external) {
    await cleanup();
    const delivered = await reportExternal(endpoints.external, say);
    return session.failed || !delivered ? 1 : 0;
  }
  return (await showTraces(session)) ? 1 : 0;
}

/** API cold then warm, the streamed Function URL, and producer → queue → worker. */
async function invokeAll(s: Session, e: Endpoints): Promise<void> {
  // 1. The API function: cold start with the event's traceparent, then warm in a new trace.
  const api = await openSandbox(s, 'ApiFunction');
  const apiEvent = readEvent(s, 'api.json');
  await run(s, api, 'ApiFunction', 'events/api.json', apiEvent);
  const warmEvent = structuredClone(apiEvent);
  delete warmEvent.headers.traceparent;
  warmEvent.body = JSON.stringify({ question: 'And what does the flush budget bound?' });
  await run(s, api, 'ApiFunction', 'events/api.json, no traceparent (warm)', warmEvent);

  // 2. The Function URL in RESPONSE_STREAM mode: tokens written as they come; first byte and time to first token.
  const stream = await openSandbox(s, 'StreamFunction');
  const streamed = await run(s, stream, 'StreamFunction', 'events/stream.json (Function URL)', readEvent(s, 'stream.json'));
  if ((streamed.streamed?.prelude as { statusCode?: number } | undefined)?.statusCode !== 200) s.failed = true;

  // 3. Producer → queue → worker: one trace.
  const sqs = e.sqs!;
  const producer = await openSandbox(s, 'ProducerFunction', { QUEUE_URL: sqs.queueUrl(QUEUE), AWS_ENDPOINT_URL_SQS: sqs.url });
  await run(s, producer, 'ProducerFunction', 'events/producer.json', readEvent(s, 'producer.json'));
  const worker = await openSandbox(s, 'WorkerFunction');
  const batch = sqs.receiveEvent(QUEUE, 5);
  if (!batch) {
    say(`✗ the producer left no message on ${QUEUE}`);
    s.failed = true;
    return;
  }
  const r = await run(s, worker, 'WorkerFunction', `${batch.Records.length} message(s) from the ${QUEUE} queue`, batch);
  const retried = sqs.settleEvent(QUEUE, batch, { result: r.result, failed: Boolean(r.error) });
  if (retried.length) say(`  ${retried.length} message(s) reported as failed go back to the queue`);
}

/** Prints the traces from the local receiver and writes the waterfall; true when something failed. */
async function showTraces(s: Session): Promise<boolean> {
  const receiver = s.receiver!;
  // Every invocation's spans were exported before its sandbox froze; wait briefly in case one is still in flight.
  const has = (spans: ReceivedSpan[]) => s.requestIds.every((id) => spans.some((x) => x.attributes['faas.invocation.id'] === id));
  try {
    await receiver.waitForSpans(has, 5000);
  } catch (err) {
    say(`✗ ${(err as Error).message}`);
    s.failed = true;
  }
  const spans = [...receiver.spans];
  await cleanup();
  say(`\n${spans.length} spans in ${new Set(spans.map((x) => x.traceId)).size} traces:\n`);
  say(renderText(spans));
  fs.mkdirSync(path.dirname(htmlPath), { recursive: true });
  fs.writeFileSync(htmlPath, renderHtml(spans));
  say(`HTML waterfall: ${htmlPath}`);
  return s.failed;
}

const interrupt = () => {
  void cleanup().finally(() => process.exit(130));
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);

runMain('npm start', main, cleanup);
