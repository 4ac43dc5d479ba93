import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

describe('SIGTERM', () => {
  it('exports the queued spans and then lets the process end as SIGTERM would', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llt-sigterm-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'main.mjs');
    await build({
      entryPoints: [new URL('../fixtures/sigterm/main.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile: out,
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    const child = spawn(process.execPath, [out], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, AWS_LAMBDA_FUNCTION_NAME: 'sigterm-fn', OTEL_BSP_SCHEDULE_DELAY: '600000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    // Nothing was flushed: the span sits in the queue.
    expect(receiver.spans).toHaveLength(0);
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const { signal } = await exited;
    await receiver.waitForSpans(1, 1000);
    expect(receiver.spans[0]!.attributes['faas.invocation.id']).toBe('sigterm-req');
    // Inside the ~500 ms Lambda allows, and the process ended by SIGTERM as it would have without us.
    expect(receiver.requests[0]!.at - sentAt).toBeLessThan(500);
    expect(signal).toBe('SIGTERM');
  });
});
