// The example app end to end through the local Lambda runner: the built bundles, the real aws-lambda-ric (when
// installed; RUNNER_REQUIRE_RIC=1 makes it mandatory), Lambda's freeze between invocations, and real OTLP, model
// and SQS endpoints on 127.0.0.1.
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARKER, startOpenAIServer, type OpenAIServer } from '../tools/openai-server.ts';
import { resolveNodeBinary } from '../tools/runner/client.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../tools/runner/index.ts';
import { startSqsEmulator, type SqsEmulator } from '../tools/sqs-emulator.ts';
import { byName, spanTree, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/receiver.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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

function procState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
}

async function open(functionId: string, env: Record<string, string> = {}, opts: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const name = { ApiFunction: 'api', StreamFunction: 'stream', ProducerFunction: 'producer', WorkerFunction: 'worker' }[functionId]!;
  const sb = await startSandbox({
    template: TEMPLATE,
    functionId,
    codeDir: path.join(OUT, name),
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

/** The invocation span of a request (by faas.invocation.id) and every span of its trace received so far. */
function traceOf(requestId: string): { root: ReceivedSpan; spans: ReceivedSpan[]; tree: string } {
  const root = receiver.spans.find((s) => s.attributes['faas.invocation.id'] === requestId);
  if (!root) throw new Error(`no invocation span for ${requestId}:\n${spanTree(receiver.spans)}`);
  const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
  return { root, spans, tree: spanTree(spans) };
}

let warmWorker: Sandbox | undefined;

const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((s) => s.parentSpanId === parent.spanId);

beforeAll(async () => {
  const p = spawnSync(resolveNodeBinary(), [path.join(ROOT, 'build.mjs'), '--outdir', OUT_REL, '--quiet'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(p.status, p.stderr).toBe(0);
  receiver = await startOtlpReceiver();
  model = await startOpenAIServer();
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

    // No waiting: the wrapper flushed before the handler returned, so the spans are in already.
    const t = traceOf(cold.requestId);
    expect(t.root).toMatchObject({ traceId, parentSpanId: parentId, name: 'POST /chat', kind: 'SERVER' });
    expect(t.root.attributes).toMatchObject({ 'faas.coldstart': true, 'faas.trigger': 'http', 'http.route': '/chat', 'http.response.status_code': 200 });
    expect(t.root.resource['service.name']).toBe('ApiFunction');
    const chat = byName(t.spans, 'chat gpt-4o-mini');
    expect(chat.parentSpanId, t.tree).toBe(t.root.spanId);
    expect(chat.kind).toBe('CLIENT');
    expect(chat.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'llm.request.attempts': 1 });
    expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    const attempts = childrenOf(t.spans, chat);
    expect(attempts.map((a) => [a.name, a.kind, a.attributes['http.response.status_code']]), t.tree).toEqual([['POST /v1/chat/completions', 'CLIENT', 200]]);
    expect(t.spans, t.tree).toHaveLength(3);

    // Warm, in the same (thawed) process; a 429 first, so two attempt spans under one model span.
    model.script({ kind: 'status', status: 429, retryAfterMs: 10 });
    const warm = await api.invoke(ev);
    expect(warm.coldStart).toBe(false);
    expect(api.pid).toBe(pid);
    const w = traceOf(warm.requestId);
    expect(w.root.attributes['faas.coldstart']).toBe(false);
    const chat2 = byName(w.spans.filter((s) => s.parentSpanId === w.root.spanId), 'chat gpt-4o-mini');
    expect(chat2.attributes['llm.request.attempts']).toBe(2);
    expect(childrenOf(w.spans, chat2).map((a) => a.attributes['http.response.status_code'])).toEqual([429, 200]);
    expect(procState(pid)).toBe('T');
  });

  it('streaming handler: the model span covers the stream and has the time to first chunk', async () => {
    const sb = await open('StreamFunction');
    const r = await sb.invoke(event('stream.json'));
    track(sb);
    const body = JSON.parse((r.result as { body: string }).body) as { answer: string; ttftMs: number; chunks: number };
    expect(body.answer).toContain(MARKER);
    expect(body.ttftMs).toBeGreaterThan(0);
    const t = traceOf(r.requestId);
    const chat = byName(t.spans, 'chat gpt-4o-mini');
    expect(chat.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'llm.stream.outcome': 'completed' });
    expect(chat.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(chat.attributes['llm.stream.chunk_count']).toBeGreaterThan(1);
  });

  it('producer → SQS → worker: one trace, the worker parented on the producer span and linked to it', async () => {
    const producer = await open('ProducerFunction', { QUEUE_URL: sqs.queueUrl(QUEUE), AWS_ENDPOINT_URL_SQS: sqs.url });
    const sent = await producer.invoke(event('producer.json'));
    track(producer);
    expect(sent.error).toBeUndefined();
    expect((sent.result as { statusCode: number }).statusCode).toBe(202);
    expect(sqs.calls.filter((c) => c.operation === 'SendMessage')).toEqual([{ operation: 'SendMessage', status: 200 }]);

    const p = traceOf(sent.requestId);
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
    const mine = (service: string) => receiver.spans.filter((s) => s.resource['service.name'] === service);

    it('flush off: the spans are stuck in the frozen sandbox (and only leave at shutdown)', async () => {
      const sb = await open('ApiFunction', { ...slowBatch, LLM_TRACING_FLUSH_BUDGET_MS: '0', OTEL_SERVICE_NAME: 'e2e-flush-off' });
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
      const env = { OTEL_BSP_SCHEDULE_DELAY: '400', LLM_TRACING_FLUSH_BUDGET_MS: '0' };
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

    it('flush on (the default): every span is at the receiver by the time invoke returns', async () => {
      const sb = await open('ApiFunction', { ...slowBatch, OTEL_SERVICE_NAME: 'e2e-flush-on' });
      const r = await sb.invoke(event('api.json'));
      const pid = track(sb);
      expect(sb.frozen).toBe(true);
      expect(procState(pid)).toBe('T');
      const spans = mine('e2e-flush-on');
      expect(spans.map((s) => s.name).sort()).toEqual(['POST /chat', 'POST /v1/chat/completions', 'chat gpt-4o-mini']);
      expect(spans.find((s) => s.name === 'POST /chat')!.attributes['faas.invocation.id']).toBe(r.requestId);
    });
  });
});
