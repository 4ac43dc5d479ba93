// `npm start` (tools/start.ts): builds, runs the app through the local runner against local endpoints, prints the
// traces and writes the HTML waterfall; with OTEL_EXPORTER_OTLP_ENDPOINT set, sends the spans there instead.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveNodeBinary } from '../../tools/runner/client.ts';
import { startOtlpReceiver } from '../../tools/otlp/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT_REL = `build/test-start-${process.pid}`;
const OUT = path.join(ROOT, OUT_REL);
const HTML = path.join(OUT, 'traces.html');

/** Runs tools/start.ts to completion (bounded), with a clean environment apart from `env`. */
function start(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('OTEL_') || k.startsWith('OPENAI_') || k.startsWith('AWS_')) delete base[k];
  return new Promise((resolve) => {
    const child = spawn(resolveNodeBinary(), [path.join(ROOT, 'tools/start.ts'), ...args], { cwd: ROOT, env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

describe('npm start', () => {
  it('prints every trace as a tree (API cold then warm, streamed Function URL with TTFT, producer→worker as one trace) and writes the HTML', async () => {
    const r = await start(['--outdir', path.join(OUT_REL, 'lambda'), '--html', path.relative(ROOT, HTML)]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/ApiFunction\s+build\/test-start-\d+\/lambda\/api\/index\.mjs\s+[\d.]+ KiB\s+gzip/); // bundle sizes
    expect(out).toMatch(/extension\s+build\/test-start-\d+\/lambda\/\*\/extension\.mjs\s+[\d.]+ KiB\s+gzip/);
    expect(out).toMatch(/spans\s+→ local OTLP receiver http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/model\s+→ local OpenAI-compatible server http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(out).toMatch(/▶ ApiFunction .* cold .* 200 /);
    expect(out).toMatch(/▶ ApiFunction .* warm .* 200 /);
    expect(out).toMatch(/▶ ProducerFunction .* 202 /);
    expect(out).toMatch(/▶ WorkerFunction .*\{"batchItemFailures":\[\]\}/);
    // The Function URL's stream: status and type from the prelude, first byte, then the text as received.
    expect(out).toMatch(/▶ StreamFunction .*cold .* 200 text\/plain; charset=utf-8, streamed, first byte after [\d.]+ ms\n\s+streamed: "ZEPHYR [^"\n]+"\n/);
    // Every invocation: the export mode in force and the time the sandbox stayed thawed after the response.
    const exportLines = out.match(/^\s+export (\S+) · sandbox thawed [\d.]+ ms after the response$/gm) ?? [];
    expect(exportLines, out).toHaveLength(5);
    for (const line of exportLines) expect(line).toContain('export after-response ·');

    // One block per trace: a "trace <id>" header, then the spans.
    const blocks = out
      .split(/\n(?=trace [0-9a-f]{32} )/)
      .slice(1)
      .map((b) => b.split('\n\n')[0]!);
    expect(blocks).toHaveLength(4);
    const chat = blocks.find((b) => b.startsWith('trace 4bf92f3577b34da6a3ce929d0e0e4736'))!; // events/api.json's traceparent
    expect(chat).toMatch(/POST \/chat \[SERVER\].*cold start/);
    expect(chat).toMatch(/\n.*ms {4}chat gpt-4o-mini \[CLIENT\]\s+· tokens \d+→\d+/); // one level down
    expect(chat).toMatch(/\n.*ms {6}POST \/v1\/chat\/completions \[CLIENT\]\s+· 200/); // two levels down
    expect(blocks.filter((b) => b.includes('POST /chat [SERVER]')).map((b) => b.includes('cold start'))).toEqual([true, false]);
    const stream = blocks.find((b) => b.startsWith('trace 0af7651916cd43dd8448eb211c80319c'))!; // events/stream.json's traceparent
    expect(stream).toMatch(/ StreamFunction /);
    expect(stream).toMatch(/POST \[SERVER\]\s+· first byte \d+ ms · 200 · cold start/); // a Function URL has no route
    expect(stream).toMatch(/chat gpt-4o-mini \[CLIENT\].*ttft \d+ ms/);
    const jobs = blocks.find((b) => b.includes('POST /jobs'))!;
    for (const name of [
      'send jobs [PRODUCER]',
      'process jobs [CONSUMER]',
      'embeddings text-embedding-3-small [CLIENT]',
      'retrieve documents [INTERNAL]',
      'chat gpt-4o-mini [CLIENT]',
    ]) {
      expect(jobs, name).toContain(name);
    }

    expect(out).toContain(`HTML waterfall: ${HTML}`);
    const html = fs.readFileSync(HTML, 'utf8');
    const spanCount = (out.match(/^\s+\S*\s+[\d.]+ ms {2}/gm) ?? []).length;
    expect((html.match(/<details class="span/g) ?? []).length).toBe(spanCount);
    expect(out).toContain(`${spanCount} spans in 4 traces`);
  }, 120_000);

  it('with MODEL_PROVIDER=bedrock, the API answers through the local Bedrock server and its trace shows the Converse call', async () => {
    const r = await start(['--outdir', path.join(OUT_REL, 'lambda-bedrock')], { MODEL_PROVIDER: 'bedrock' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/bedrock\s+→ local Bedrock Runtime server http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/▶ ApiFunction .* cold .* 200 /);
    const blocks = out
      .split(/\n(?=trace [0-9a-f]{32} )/)
      .slice(1)
      .map((b) => b.split('\n\n')[0]!);
    const chat = blocks.find((b) => b.startsWith('trace 4bf92f3577b34da6a3ce929d0e0e4736'))!;
    expect(chat).toMatch(/\n.*ms {4}chat amazon\.nova-lite-v1:0 \[CLIENT\]\s+· tokens \d+→\d+/);
    expect(chat).toMatch(/\n.*ms {6}POST \/model\/\{modelId\}\/converse \[CLIENT\]\s+· 200/);
  }, 120_000);

  it('with OTEL_EXPORTER_OTLP_ENDPOINT set, sends the spans there and says they cannot be shown', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const r = await start(['--outdir', path.join(OUT_REL, 'lambda'), '--no-build'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`spans     → ${receiver.url} (OTEL_EXPORTER_OTLP_ENDPOINT is set: no local receiver, so the traces cannot be shown here)`);
      expect(r.stdout).not.toMatch(/^trace [0-9a-f]{32}/m);
      expect(r.stdout).not.toContain('HTML waterfall');
      // No spans to read the mode from: it comes from the extensions that registered.
      expect(r.stdout.match(/export after-response \(extension registered\) · sandbox thawed/g)).toHaveLength(5);
      const services = new Set(receiver.spans.map((s) => s.resource['service.name']));
      expect(services).toEqual(new Set(['ApiFunction', 'StreamFunction', 'ProducerFunction', 'WorkerFunction']));
    } finally {
      await receiver.close();
    }
  }, 120_000);

  it('with a closed collector port, says so with the endpoint and the cause, and fails instead of claiming the spans were sent', async () => {
    const r = await start(['--outdir', path.join(OUT_REL, 'lambda'), '--no-build'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const cause = 'connection refused (nothing listens on port 9: the collector port is closed)';
    expect(r.stdout).toContain(`✗ spans cannot be delivered to http://127.0.0.1:9/v1/traces: ${cause}\n`);
    expect(r.stdout).toMatch(
      new RegExp(
        `\n✗ Spans were not delivered to http://127\\.0\\.0\\.1:9/v1/traces: ${cause.replace(/[()]/g, '\\$&')}\\. Nothing of this run reached a collector\\.\n$`,
      ),
    );
    expect(r.stdout).not.toContain('Spans were sent');
  }, 120_000);

  it('with a collector that rejects exports, names the HTTP status', async () => {
    const receiver = await startOtlpReceiver();
    try {
      await receiver.setMode({ kind: 'status', code: 401 });
      const r = await start(['--outdir', path.join(OUT_REL, 'lambda'), '--no-build'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toContain(`✗ Spans were not delivered to ${receiver.tracesUrl}: HTTP 401 Unauthorized.`);
      expect(r.stdout).not.toContain('Spans were sent');
      expect(receiver.spans).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
