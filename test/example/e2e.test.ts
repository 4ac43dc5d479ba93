// The example app end to end through the local Lambda runner: the built bundles, the real aws-lambda-ric (when
// installed; RUNNER_REQUIRE_RIC=1 makes it mandatory), our extension loaded as template.yaml's NODE_OPTIONS says
// (so every function exports after the response), Lambda's freeze between invocations (only once the runtime
// and the extension both wait), the response-streaming Function URL handler, and real OTLP, model and SQS
// endpoints on 127.0.0.1.
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKER, startOpenAIServer, type OpenAIServer } from '../../tools/openai-server/index.ts';
import { resolveNodeBinary } from '../../tools/runner/client.ts';
import { startSandbox, type InvokeResult, type Sandbox, type SandboxOptions } from '../../tools/runner/index.ts';
import { startSqsEmulator, type SqsEmulator } from '../../tools/sqs-emulator/index.ts';
import { byName, spanTree, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/receiver.ts';
import { procState } from '../support/proc.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEMPLATE = path.join(ROOT, 'template.yaml');
// Our own output folder (inside the repo, so the bundles' external @aws-sdk/* resolve from node_modules), so
// that build.test.ts rebuilding build/lambda at the same time cannot disturb these sandboxes.
const OUT_REL = `build/test-e2e-${process.pid}`;
const OUT = path.join(ROOT, OUT_REL);
const CLIENT = process.env.RUNNER_REQUIRE_RIC === '1' ? 'aws-lambda-ric' : 'auto';
const QUEUE = 'jobs';

const event = (name: string): Record<string, any> => JSON.parse(fs.readFileSync(path.join(ROOT, 'events', name), 'utf8')) as Record<string, any>;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let receiver: OtlpReceiver;
let model: OpenAIServer;
let sqs: SqsEmulator;
const sandboxes: Sandbox[] = [];
const pids = new Set<number>();

async function open(functionId: string, env: Record<string, string> = {}, opts: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const name = { ApiFunction: 'api', StreamFunction: 'stream', ProducerFunction: 'producer', WorkerFunction: 'worker' }[functionId]!;
  const codeDir = path.join(OUT, name);
  const sb = await startSandbox({
    template: TEMPLATE,
    functionId,
    codeDir,
    client: CLIENT,
    log: () => {},
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OPENAI_API_KEY: 'sk-e2e-not-a-real-key',
      OPENAI_BASE_URL: model.url,
      ...env,
    },
    ...opts,
  });
  sandboxes.push(sb);
  if (process.env.RUNNER_REQUIRE_RIC === '1') expect(sb.client).toBe('aws-lambda-ric');
  return sb;
}

function track(sb: Sandbox): number {
  expect(sb.pid).toBeTypeOf('number');
  pids.add(sb.pid!);
  return sb.pid!;
}

/**
 * The invocation span of a request (by faas.invocation.id) and the spans under it received so far (the events
 * carry fixed traceparents, so other invocations may share the trace).
 */
function traceOf(requestId: string): { root: ReceivedSpan; spans: ReceivedSpan[]; tree: string } {
  const root = receiver.spans.find((s) => s.attributes['faas.invocation.id'] === requestId);
  if (!root) throw new Error(`no invocation span for ${requestId}:\n${spanTree(receiver.spans)}`);
  const inTrace = receiver.spans.filter((s) => s.traceId === root.traceId);
  const spans = [root];
  for (let i = 0; i < spans.length; i++) spans.push(...inTrace.filter((s) => s.parentSpanId === spans[i]!.spanId));
  return { root, spans, tree: spanTree(spans) };
}

/**
 * The template's mode: our extension registered in the sandbox, the invocation span says `after-response`, and
 * the runner measured how long the sandbox stayed thawed after the response (the export) before it froze.
 */
function expectAfterResponse(sb: Sandbox, r: InvokeResult, root: ReceivedSpan): void {
  expect(sb.extensions).toEqual(['lambda-llm-tracing']);
  expect(root.attributes['llm.export.mode']).toBe('after-response');
  expect(r.postRuntimeMs).toBeTypeOf('number');
  expect(r.postRuntimeMs!).toBeGreaterThanOrEqual(0);
  expect(sb.frozen).toBe(true);
}

let warmWorker: Sandbox | undefined;

const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((s) => s.parentSpanId === parent.spanId);

beforeAll(async () => {
  const p = spawnSync(resolveNodeBinary(), [path.join(ROOT, 'build.mjs'), '--outdir', OUT_REL, '--quiet'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(p.status, p.stderr).toBe(0);
  receiver = await startOtlpReceiver();
  // 10 ms between chunks: a streamed answer takes long enough to tell streaming from buffering.
  model = await startOpenAIServer({ chunkDelayMs: 10 });
  sqs = await startSqsEmulator({ queues: [QUEUE] });
}, 70_000);

afterAll(async () => {
  await Promise.allSettled(sandboxes.map((s) => s.shutdown()));
  await Promise.allSettled([receiver?.close(), model?.close(), sqs?.close()]);
  fs.rmSync(OUT, { recursive: true, force: true });
  // No orphans: every sandbox process is gone (or a zombie about to be reaped).
  for (const pid of pids) expect([undefined, 'Z']).toContain(procState(pid));
});

describe('example app through the local runner (frozen between invocations)', () => {
  it('API: invocation span → chat span → attempt span, parented on the event traceparent; cold start, then warm', async () => {
    const api = await open('ApiFunction');
    const ev = event('api.json');
    const [, traceId, parentId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(ev.headers.traceparent as string)!;

    const cold = await api.invoke(ev);
    const pid = track(api);
    expect(cold.error).toBeUndefined();
    expect(cold.coldStart).toBe(true);
    const res = cold.result as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).answer).toContain(MARKER);
    expect(api.frozen).toBe(true);
    expect(procState(pid)).toBe('T');

    // No waiting: the wrapper answered at once, but the sandbox froze only once the extension saw the export
    // done, so the spans are in already.
    const t = traceOf(cold.requestId);
    expectAfterResponse(api, cold, t.root);
    expect(t.root).toMatchObject({ traceId, parentSpanId: parentId, name: 'POST /chat', kind: 'SERVER' });
    expect(t.root.attributes).toMatchObject({ 'faas.coldstart': true, 'faas.trigger': 'http', 'http.route': '/chat', 'http.response.status_code': 200 });
    expect(t.root.resource['service.name']).toBe('ApiFunction');
    const chat = byName(t.spans, 'chat gpt-4o-mini');
    expect(chat.parentSpanId, t.tree).toBe(t.root.spanId);
    expect(chat.kind).toBe('CLIENT');
    expect(chat.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'llm.request.attempts': 1 });
    expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    const attempts = childrenOf(t.spans, chat);
    expect(
      attempts.map((a) => [a.name, a.kind, a.attributes['http.response.status_code']]),
      t.tree,
    ).toEqual([['POST /v1/chat/completions', 'CLIENT', 200]]);
    expect(t.spans, t.tree).toHaveLength(3);

    // Warm, in the same (thawed) process; a 429 first, so two attempt spans under one model span.
    model.script({ kind: 'status', status: 429, retryAfterMs: 10 });
    const warm = await api.invoke(ev);
    expect(warm.coldStart).toBe(false);
    expect(api.pid).toBe(pid);
    const w = traceOf(warm.requestId);
    expect(w.root.attributes['faas.coldstart']).toBe(false);
    expectAfterResponse(api, warm, w.root);
    const chat2 = byName(
      w.spans.filter((s) => s.parentSpanId === w.root.spanId),
      'chat gpt-4o-mini',
    );
    expect(chat2.attributes['llm.request.attempts']).toBe(2);
    expect(childrenOf(w.spans, chat2).map((a) => a.attributes['http.response.status_code'])).toEqual([429, 200]);
    expect(procState(pid)).toBe('T');
  });

  it('streaming Function URL: tokens streamed as they come; the invocation span covers the stream and has the first-byte time', async () => {
    // Content capture on, to compare what the client received with what the model answered.
    const sb = await open('StreamFunction', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' });
    const ev = event('stream.json');
    expect(ev.routeKey).toBe('$default');
    expect(ev.requestContext.domainName).toMatch(/^[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws$/);
    const [, traceId, parentId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(ev.headers.traceparent as string)!;
    const r = await sb.invoke(ev);
    track(sb);
    expect(r.error).toBeUndefined();
    expect(r.streamed, 'the runtime streamed the response').toBeDefined();
    expect(r.streamed!.prelude).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    expect(r.streamed!.body).toContain(MARKER);
    // The first byte reached the client long before the stream was over: streamed token by token, not buffered.
    expect(r.streamed!.firstByteMs!).toBeGreaterThan(0);
    expect(r.streamed!.firstByteMs!).toBeLessThan(r.durationMs - 60);

    const t = traceOf(r.requestId);
    expect(t.root).toMatchObject({ traceId, parentSpanId: parentId, name: 'POST', kind: 'SERVER' });
    expect(t.root.attributes).toMatchObject({ 'faas.trigger': 'http', 'http.response.status_code': 200, 'faas.coldstart': true });
    expect(t.root.attributes['llm.response.time_to_first_byte']).toBeGreaterThan(0);
    expect(t.root.attributes['llm.response.bytes']).toBeGreaterThanOrEqual(Buffer.byteLength(r.streamed!.body));
    expectAfterResponse(sb, r, t.root);
    const chat = byName(t.spans, 'chat gpt-4o-mini');
    expect(chat.parentSpanId, t.tree).toBe(t.root.spanId);
    expect(chat.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'llm.stream.outcome': 'completed' });
    expect(chat.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(chat.attributes['llm.stream.chunk_count']).toBeGreaterThan(1);
    // The invocation span lasts until the response stream has finished, so it ends after the model span.
    expect(t.root.endTimeUnixNano >= chat.endTimeUnixNano, t.tree).toBe(true);
    // The client got exactly the model's answer, assembled from the deltas.
    const output = JSON.parse(chat.attributes['gen_ai.output.messages'] as string) as { parts: { type: string; content: string }[] }[];
    expect(r.streamed!.body).toBe(output[0]!.parts.map((p) => p.content).join(''));
    expect(t.spans, t.tree).toHaveLength(3);
  });

  it('streaming Function URL: 400 prelude for a bad request, 502 when the model fails before the first token, a cut stream when it fails after', async () => {
    const sb = await open('StreamFunction', { OTEL_SERVICE_NAME: 'e2e-stream-errors' });
    const prelude = (r: InvokeResult) => r.streamed?.prelude as { statusCode: number; headers: Record<string, string> };

    const bad = structuredClone(event('stream.json'));
    bad.body = '{"nope":1}';
    const r400 = await sb.invoke(bad);
    expect(r400.error).toBeUndefined();
    expect(prelude(r400)).toEqual({ statusCode: 400, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(r400.streamed!.body).error).toMatch(/question/);

    // A 400 from the model is not retried: the call fails before any token, so the client gets a 502.
    model.script({ kind: 'status', status: 400 });
    const r502 = await sb.invoke(event('stream.json'));
    expect(r502.error).toBeUndefined();
    expect(prelude(r502)).toEqual({ statusCode: 502, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(r502.streamed!.body)).toEqual({ error: 'the model call failed', upstreamStatus: 400 });
    const failed = byName(traceOf(r502.requestId).spans, 'chat gpt-4o-mini');
    expect(failed.status.code).toBe('ERROR');
    expect(failed.attributes['error.type']).toBe('400');

    // The connection drops after a few chunks: the 200 and the first tokens are out, the stream just ends.
    model.script({ kind: 'midStreamReset', afterChunks: 4 });
    const cut = await sb.invoke(event('stream.json'));
    expect(cut.error).toBeUndefined();
    expect(prelude(cut).statusCode).toBe(200);
    expect(cut.streamed!.body.length).toBeGreaterThan(0);
    const full = (await sb.invoke(event('stream.json'))).streamed!.body;
    const norm = (text: string) => text.replace(/reply-[0-9a-f]*/, 'reply-');
    expect(norm(full).startsWith(norm(cut.streamed!.body)), `${cut.streamed!.body} | ${full}`).toBe(true);
    expect(cut.streamed!.body.length).toBeLessThan(full.length);
    const t = traceOf(cut.requestId);
    expect(byName(t.spans, 'chat gpt-4o-mini').attributes).toMatchObject({ 'llm.stream.outcome': 'error', 'error.type': 'stream_interrupted' });
    expect(t.root.attributes['llm.response.bytes']).toBeGreaterThan(0);
    model.clear();
  });

  it('producer → SQS → worker: one trace, the worker parented on the producer span and linked to it', async () => {
    const producer = await open('ProducerFunction', { QUEUE_URL: sqs.queueUrl(QUEUE), AWS_ENDPOINT_URL_SQS: sqs.url });
    const sent = await producer.invoke(event('producer.json'));
    track(producer);
    expect(sent.error).toBeUndefined();
    expect((sent.result as { statusCode: number }).statusCode).toBe(202);
    expect(sqs.calls.filter((c) => c.operation === 'SendMessage')).toEqual([{ operation: 'SendMessage', status: 200 }]);

    const p = traceOf(sent.requestId);
    expectAfterResponse(producer, sent, p.root);
    const send = byName(p.spans, 'send jobs');
    expect(send).toMatchObject({ kind: 'PRODUCER', parentSpanId: p.root.spanId });
    const batch = sqs.receiveEvent(QUEUE, 5)!;
    expect(batch.Records).toHaveLength(1);
    // What the producer injected is the send span's context.
    expect(batch.Records[0]!.messageAttributes.traceparent?.stringValue).toBe(`00-${p.root.traceId}-${send.spanId}-01`);

    const worker = await open('WorkerFunction');
    warmWorker = worker;
    const done = await worker.invoke(batch);
    track(worker);
    expect(done.error).toBeUndefined();
    expect(done.result).toEqual({ batchItemFailures: [] });
    expect(sqs.settleEvent(QUEUE, batch, { result: done.result })).toEqual([]);
    expect(sqs.messages(QUEUE)).toHaveLength(0);

    const w = receiver.spans.find((s) => s.attributes['faas.invocation.id'] === done.requestId)!;
    const all = receiver.spans.filter((s) => s.traceId === p.root.traceId);
    const tree = spanTree(all);
    expect(w, tree).toBeDefined();
    expect(w).toMatchObject({ traceId: p.root.traceId, parentSpanId: send.spanId, kind: 'CONSUMER', name: 'process jobs' });
    expect(w.links.some((l) => l.spanId === send.spanId && l.attributes['llm.link.source'] === 'message')).toBe(true);
    expect(w.attributes).toMatchObject({ 'faas.trigger': 'pubsub', 'messaging.system': 'aws_sqs', 'faas.coldstart': true });
    expectAfterResponse(worker, done, w);
    const record = all.find((s) => s.parentSpanId === w.spanId && s.kind === 'CONSUMER')!;
    expect(record, tree).toBeDefined();
    const under = (parent: ReceivedSpan) => all.filter((s) => s.parentSpanId === parent.spanId).map((s) => s.name);
    expect(under(record), tree).toEqual(['embeddings text-embedding-3-small', 'retrieve documents', 'chat gpt-4o-mini']);
    const retrieve = byName(all, 'retrieve documents');
    expect(retrieve.attributes['app.retrieval.document_ids']).toHaveLength(2);
    // First retrieval in this sandbox: the document index is embedded inside the step.
    expect(under(retrieve)).toEqual(['embeddings text-embedding-3-small']);
    // Producer, send, worker invocation, record; 3 model calls (query embedding, index embedding, chat) with one
    // attempt each; the retrieval step.
    expect(all, tree).toHaveLength(4 + 3 * 2 + 1);
    expect(new Set(all.map((s) => s.resource['service.name']))).toEqual(new Set(['ProducerFunction', 'WorkerFunction']));
  });

  it('worker: a bad record is reported in batchItemFailures and goes back to the queue; its span records the error', async () => {
    const client = new SQSClient({ region: 'us-east-1', endpoint: sqs.url, credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 });
    try {
      await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl(QUEUE), MessageBody: 'not a job' }));
    } finally {
      client.destroy();
    }
    const worker = warmWorker ?? (await open('WorkerFunction'));
    const batch = sqs.receiveEvent(QUEUE)!;
    const r = await worker.invoke(batch);
    const id = batch.Records[0]!.messageId;
    expect(r.result).toEqual({ batchItemFailures: [{ itemIdentifier: id }] });
    expect(sqs.settleEvent(QUEUE, batch, { result: r.result })).toEqual([id]);
    const t = traceOf(r.requestId);
    const record = t.spans.find((s) => s.parentSpanId === t.root.spanId && s.kind === 'CONSUMER')!;
    expect(record.status.code, t.tree).toBe('ERROR');
    expect(record.events.map((e) => e.name)).toContain('exception');
    sqs.settleEvent(QUEUE, sqs.receiveEvent(QUEUE)!, { result: { batchItemFailures: [] } });
  });

  it('a timed-out invocation still exports its spans (timeout salvage)', async () => {
    const api = await open('ApiFunction', { OTEL_SERVICE_NAME: 'e2e-timeout' }, { timeoutSeconds: 2 });
    model.script({ kind: 'delay', ms: 10_000 });
    const r = await api.invoke(event('api.json'));
    expect(r.timedOut).toBe(true);
    expect(r.error?.errorType).toBe('Sandbox.Timedout');
    expect(api.pid).toBeUndefined(); // killed, as Lambda does
    // The process is dead: whatever arrives now was sent before the deadline.
    const spans = await receiver.waitForSpans((all) => all.some((s) => s.attributes['faas.invocation.id'] === r.requestId), 2000);
    const root = spans.find((s) => s.attributes['faas.invocation.id'] === r.requestId)!;
    expect(root.status.code).toBe('ERROR');
    expect(root.attributes).toMatchObject({ 'error.type': 'timeout', 'llm.lambda.timeout_salvaged': true });
    const chat = spans.find((s) => s.parentSpanId === root.spanId && s.name === 'chat gpt-4o-mini');
    expect(chat, spanTree(spans.filter((s) => s.traceId === root.traceId))).toBeDefined();
    model.clear();
  });

  describe('the reason this library exists: Lambda freezes the sandbox as soon as the handler returns', () => {
    // A long batch delay: only the wrapper's own flush can get the spans out before the freeze.
    const slowBatch = { OTEL_BSP_SCHEDULE_DELAY: '60000' };
    // The flush-off demonstrations run in the classic mode: without our extension holding the sandbox, the
    // freeze comes right after the response.
    const beforeResponse = { LLM_TRACING_EXPORT_MODE: 'before-response' };
    const mine = (service: string) => receiver.spans.filter((s) => s.resource['service.name'] === service);

    it('flush off: the spans are stuck in the frozen sandbox (and only leave at shutdown)', async () => {
      const sb = await open('ApiFunction', { ...slowBatch, ...beforeResponse, LLM_TRACING_FLUSH_BUDGET_MS: '0', OTEL_SERVICE_NAME: 'e2e-flush-off' });
      const r = await sb.invoke(event('api.json'));
      const pid = track(sb);
      expect((r.result as { statusCode: number }).statusCode).toBe(200);
      await sleep(300);
      expect(procState(pid)).toBe('T');
      expect(sb.frozen).toBe(true);
      expect(mine('e2e-flush-off')).toEqual([]);
      // They were made, just never sent: SIGTERM at shutdown exports them.
      await sb.shutdown();
      const arrived = await receiver.waitForSpans(() => mine('e2e-flush-off').length >= 3, 3000).then(() => mine('e2e-flush-off'));
      expect(arrived.map((s) => s.name).sort()).toEqual(['POST /chat', 'POST /v1/chat/completions', 'chat gpt-4o-mini']);
    });

    it('flush off, short batch delay: the batch timer cannot fire in a frozen sandbox, yet does without the freeze', async () => {
      // 400 ms: long enough that the freeze (a few ms after the last span ends) always comes first.
      const env = { ...beforeResponse, OTEL_BSP_SCHEDULE_DELAY: '400', LLM_TRACING_FLUSH_BUDGET_MS: '0' };
      const frozen = await open('ApiFunction', { ...env, OTEL_SERVICE_NAME: 'e2e-frozen-timer' });
      await frozen.invoke(event('api.json'));
      const pid = track(frozen);
      await sleep(1200); // three times the batch delay
      expect(procState(pid)).toBe('T');
      expect(mine('e2e-frozen-timer')).toEqual([]);

      const running = await open('ApiFunction', { ...env, OTEL_SERVICE_NAME: 'e2e-not-frozen' }, { freeze: false });
      await running.invoke(event('api.json'));
      track(running);
      expect(running.frozen).toBe(false);
      await receiver.waitForSpans(() => mine('e2e-not-frozen').length >= 3, 3000);
      expect(mine('e2e-frozen-timer')).toEqual([]); // still stuck
    });

    it.each([
      ['after-response (the template)', {}],
      ['before-response', beforeResponse],
    ] as const)('flush on (the default), %s: every span is at the receiver by the time invoke returns', async (mode, extra) => {
      const service = `e2e-flush-on-${mode.split(' ')[0]}`;
      const sb = await open('ApiFunction', { ...slowBatch, ...extra, OTEL_SERVICE_NAME: service });
      const r = await sb.invoke(event('api.json'));
      const pid = track(sb);
      expect(sb.frozen).toBe(true);
      expect(procState(pid)).toBe('T');
      const spans = mine(service);
      expect(spans.map((s) => s.name).sort()).toEqual(['POST /chat', 'POST /v1/chat/completions', 'chat gpt-4o-mini']);
      const root = spans.find((s) => s.name === 'POST /chat')!;
      expect(root.attributes['faas.invocation.id']).toBe(r.requestId);
      expect(root.attributes['llm.export.mode']).toBe(mode.split(' ')[0]);
      expect(sb.extensions).toEqual(mode.startsWith('after') ? ['lambda-llm-tracing'] : []);
    });

    it('after the response: a slow collector delays the sandbox freeze, not the response', async () => {
      await receiver.setMode({ kind: 'delay', ms: 600 });
      try {
        const sb = await open('ApiFunction', { OTEL_SERVICE_NAME: 'e2e-slow-collector' });
        await sb.invoke(event('api.json')); // cold start out of the way
        const r = await sb.invoke(event('api.json'));
        track(sb);
        expect((r.result as { statusCode: number }).statusCode).toBe(200);
        expect(r.durationMs).toBeLessThan(400);
        expect(r.postRuntimeMs!).toBeGreaterThanOrEqual(500);
        const root = mine('e2e-slow-collector').find((s) => s.attributes['faas.invocation.id'] === r.requestId);
        expect(root?.attributes['llm.export.mode']).toBe('after-response');
      } finally {
        await receiver.setMode({ kind: 'ok' });
      }
    });
  });
});
