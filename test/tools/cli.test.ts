// The command-line tools as a user meets them: --help, unknown flags, the file, JSON and port errors, and a
// collector that does not take the spans. Spawned processes; exit codes and stderr text are the contract.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { probeOtlp } from '../../tools/otlp/probe.ts';
import { startOtlpReceiver } from '../../tools/otlp/index.ts';
import { resolveNodeBinary } from '../../tools/runner/client.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-cli-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

/** The commands the README names, as their npm scripts run them. */
const COMMANDS: { name: string; argv: string[] }[] = [
  { name: 'npm start', argv: ['tools/start.ts'] },
  { name: 'npm run traces', argv: ['tools/traces.ts'] },
  { name: 'npm run invoke', argv: ['tools/runner/cli.ts'] },
  { name: 'npm run build:lambda', argv: ['build.mjs'] },
  { name: 'npm run bench', argv: ['bench/run.ts'] },
  { name: 'npm run openai-server', argv: ['tools/openai-server/cli.ts'] },
  { name: 'npm run sqs-emulator', argv: ['tools/sqs-emulator/cli.ts'] },
];

function run(argv: string[], env: Record<string, string> = {}) {
  return spawnSync(resolveNodeBinary(), argv, { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
}

/** Runs a long-lived CLI until `ready` shows on stdout (or it exits); then stops it. */
function runUntil(argv: string[], ready: RegExp): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(resolveNodeBinary(), argv, { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (ready.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('every command answers --help and rejects unknown flags', () => {
  for (const c of COMMANDS) {
    it(`${c.name} --help: usage on stdout, exit 0, nothing else done`, () => {
      const outdir = path.join(TMP, `help-${c.argv[0]!.replace(/\W/g, '-')}`);
      const r = run([...c.argv, '--help', ...(c.name === 'npm run build:lambda' ? ['--outdir', outdir] : [])]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: ${c.name.replace(/[.:]/g, '\\$&')}`));
      expect(r.stderr).toBe('');
      expect(fs.existsSync(outdir)).toBe(false);
    });
    it(`${c.name} --bogus: one line naming the flag, the usage, exit 2`, () => {
      const r = run([...c.argv, '--bogus']);
      expect(r.status).toBe(2);
      const [first, second] = r.stderr.split('\n');
      expect(first).toBe(`${c.name}: Unknown option '--bogus'`);
      expect(second).toMatch(/^usage: /);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    });
  }
});

describe('file, JSON and port errors are one line naming the file or port', () => {
  it('a missing event file', () => {
    const file = path.join(TMP, 'missing.json');
    const r = run(['tools/runner/cli.ts', 'ApiFunction', '-e', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`npm run invoke: ${file}: no such file\n`);
  });

  it('an event file that is not JSON', () => {
    const file = path.join(TMP, 'bad-event.json');
    fs.writeFileSync(file, '{"body": ');
    const r = run(['tools/runner/cli.ts', 'ApiFunction', '-e', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^npm run invoke: ${file.replace(/[.]/g, '\\.')}: not valid JSON \\([^\\n]+\\)\\n$`));
  });

  it('an --env-vars file that is not JSON', () => {
    const file = path.join(TMP, 'bad-env.json');
    fs.writeFileSync(file, 'Parameters: {}');
    const r = run(['tools/runner/cli.ts', 'ApiFunction', '--env-vars', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^npm run invoke: ${file.replace(/[.]/g, '\\.')}: not valid JSON \\([^\\n]+\\)\\n$`));
  });

  it('a busy port, for each helper server', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      for (const [name, script] of [
        ['npm run traces', 'tools/traces.ts'],
        ['npm run openai-server', 'tools/openai-server/cli.ts'],
        ['npm run sqs-emulator', 'tools/sqs-emulator/cli.ts'],
      ] as const) {
        const r = await runUntil([script, '--port', String(port)], /listening/);
        expect(r.status, name).toBe(1);
        expect(r.stderr).toBe(`${name}: port ${port} on 127.0.0.1 is already in use (another process listens there; pick another with --port)\n`);
      }
    } finally {
      busy.close();
    }
  });

  it('a port that is not a number', () => {
    const r = run(['tools/traces.ts', '--port', 'forty']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('npm run traces: --port: not a port number: forty');
  });
});

describe('helper servers run on their own, on the ports events/env.json names', () => {
  it('npm run openai-server and npm run sqs-emulator print where they listen', async () => {
    const model = await runUntil(['tools/openai-server/cli.ts', '--port', '0'], /listening/);
    expect(model.stdout).toMatch(/^openai-server listening: OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/v1\n/);
    const sqs = await runUntil(['tools/sqs-emulator/cli.ts', '--port', '0', 'jobs'], /queue jobs/);
    expect(sqs.stdout).toMatch(/^sqs-emulator listening: AWS_ENDPOINT_URL_SQS=http:\/\/127\.0\.0\.1:\d+\n {2}queue jobs: http:\/\/127\.0\.0\.1:\d+\/123456789012\/jobs\n/);
    const env = JSON.parse(fs.readFileSync(path.join(ROOT, 'events/env.json'), 'utf8')) as { Parameters: Record<string, string> };
    expect(env.Parameters['OPENAI_BASE_URL']).toBe('http://127.0.0.1:8080/v1'); // the openai-server default
    expect(run(['tools/openai-server/cli.ts', '--help']).stdout).toContain('default 8080');
  });
});

describe('delivery failures are named with their cause', () => {
  it('probe: refused, HTTP status, timed out, accepted', async () => {
    const closed = await probeOtlp('http://127.0.0.1:9/v1/traces');
    expect(closed).toEqual({ url: 'http://127.0.0.1:9/v1/traces', ok: false, cause: 'connection refused (nothing listens on port 9: the collector port is closed)' });
    const receiver = await startOtlpReceiver();
    try {
      await receiver.setMode({ kind: 'status', code: 503 });
      expect(await probeOtlp(receiver.tracesUrl)).toMatchObject({ ok: false, cause: 'HTTP 503 Service Unavailable' });
      await receiver.setMode({ kind: 'hang' });
      expect(await probeOtlp(receiver.tracesUrl, 300)).toMatchObject({ ok: false, cause: `timed out after 300 ms (nothing answered on port ${receiver.port})` });
      await receiver.setMode({ kind: 'ok' });
      expect(await probeOtlp(receiver.tracesUrl)).toMatchObject({ ok: true, cause: 'HTTP 200 OK' });
      expect(await probeOtlp(`${receiver.url}/v1/wrong`)).toMatchObject({ ok: false, cause: expect.stringMatching(/^HTTP 404 .*is the path \/v1\/traces\?/) });
    } finally {
      await receiver.close();
    }
  });

  it('the runner names the endpoint and the cause when the function cannot deliver its spans', () => {
    const dir = path.join(TMP, 'fn');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.mjs'), 'export const handler = async () => ({ ok: true });\n');
    fs.writeFileSync(
      path.join(TMP, 'template.yaml'),
      [
        'Resources:',
        '  Fn:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: index.handler',
        '      Runtime: nodejs24.x',
        '      CodeUri: fn',
        '      Environment:',
        '        Variables:',
        '          OTEL_EXPORTER_OTLP_ENDPOINT: http://127.0.0.1:9',
        '',
      ].join('\n'),
    );
    const r = run(['tools/runner/cli.ts', 'Fn', '-t', path.join(TMP, 'template.yaml')]);
    expect(r.status, r.stderr).toBe(0); // the invocation itself succeeded
    expect(r.stdout).toBe('{"ok":true}\n');
    expect(r.stderr).toContain(
      '[lambda-runner] ✗ spans cannot be delivered to http://127.0.0.1:9/v1/traces: connection refused (nothing listens on port 9: the collector port is closed)\n',
    );
  });
});
