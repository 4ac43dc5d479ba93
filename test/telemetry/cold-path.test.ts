import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.ts';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = path.join(root, 'test/fixtures/cold-path');

interface Probe {
  node: string;
  statusCode: number | undefined;
  undici: string[];
}

function probe(bundle: string, receiver: OtlpReceiver, opts: { preload?: string; fetchFirst?: boolean; service: string }): Promise<Probe> {
  const args = [...(opts.preload ? ['--import', opts.preload] : []), path.join(fixtures, 'probe.mjs'), bundle];
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_LAMBDA_FUNCTION_NAME: opts.service,
    OTEL_SERVICE_NAME: opts.service,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    ...(opts.fetchFirst ? { PROBE_FETCH: '1' } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out.trim()) as Probe);
      } catch {
        reject(new Error(`probe exited ${code}: ${err}`));
      }
    });
  });
}

describe('the cold path in a fresh Node process', () => {
  let receiver: OtlpReceiver;
  let dir: string;
  let extension: string;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-cold-'));
    extension = path.join(dir, 'extension.mjs');
    const common: BuildOptions = {
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    };
    // openai 7's constructor reads globalThis.fetch, which loads undici by itself; 4 to 6 do not, so the app
    // here uses 6 and whatever loads undici is ours.
    await build({ ...common, entryPoints: [path.join(fixtures, 'handler.ts')], outfile: path.join(dir, 'index.mjs'), alias: { openai: 'openai6' } });
    await build({ ...common, entryPoints: [path.join(root, 'src/extension/index.ts')], outfile: extension });
  });
  afterAll(async () => {
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports our bundle, serves one invocation and exports its span without loading undici', async () => {
    const r = await probe(path.join(dir, 'index.mjs'), receiver, { service: 'cold-plain' });
    // The ESM facade of node:http evaluates undici from Node 22 on; on older lines the check would prove nothing.
    expect(Number(r.node.split('.')[0])).toBeGreaterThanOrEqual(22);
    expect(r.statusCode).toBe(200);
    expect(receiver.spans.filter((s) => s.resource['service.name'] === 'cold-plain').length).toBe(1);
    expect(r.undici).toEqual([]);
  });

  it('does the same with the extension loaded first', async () => {
    const r = await probe(path.join(dir, 'index.mjs'), receiver, { service: 'cold-ext', preload: extension });
    expect(r.statusCode).toBe(200);
    expect(receiver.spans.filter((s) => s.resource['service.name'] === 'cold-ext').length).toBe(1);
    expect(r.undici).toEqual([]);
  });

  it('sees undici when the process itself uses fetch (the check is live)', async () => {
    const r = await probe(path.join(dir, 'index.mjs'), receiver, { service: 'cold-fetch', fetchFirst: true });
    expect(r.statusCode).toBe(200);
    expect(r.undici.length).toBeGreaterThan(0);
  });
});

describe('tree-shaking', () => {
  const inputs = async (entry: string) => {
    const r = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      write: false,
      metafile: true,
      outdir: '/tmp',
      logLevel: 'silent',
    });
    return Object.keys(Object.values(r.metafile.outputs)[0]!.inputs);
  };

  it('leaves the OpenAI instrumentation out of a bundle that never calls traceOpenAI', async () => {
    const ours = (files: string[]) => files.filter((f) => /(^|\/)src\/(openai|stainless|genai)\//.test(f));
    const full = await inputs(path.join(fixtures, 'handler.ts'));
    const wrapperOnly = await inputs(path.join(fixtures, 'wrapper-only.ts'));
    expect(ours(full).length).toBeGreaterThan(0);
    expect(ours(wrapperOnly)).toEqual([]);
  });
});
