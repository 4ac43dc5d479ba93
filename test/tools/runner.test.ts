// The local Lambda runner (tools/runner): real aws-lambda-ric when it is installed, our mini
// client otherwise, and Lambda's freeze between invocations (SIGSTOP / SIGCONT).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveNodeBinary } from '../../tools/runner/client.ts';
import { loadFunctionConfig, startSandbox } from '../../tools/runner/index.ts';
import type { Sandbox, SandboxOptions } from '../../tools/runner/index.ts';
import { procState } from '../support/proc.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/runner');
const TEMPLATE = path.join(FIXTURES, 'template.yaml');
const ENV_VARS = path.join(FIXTURES, 'env.json');
const RIC_DIR = path.join(ROOT, 'node_modules/aws-lambda-ric');
const ricVersion: string | undefined = fs.existsSync(path.join(RIC_DIR, 'package.json'))
  ? (JSON.parse(fs.readFileSync(path.join(RIC_DIR, 'package.json'), 'utf8')) as { version: string }).version
  : undefined;
const ricBuilt = ['rapid-client.node', 'dist/rapid-client.node'].some((f) => fs.existsSync(path.join(RIC_DIR, f)));
const ricMajor = Number((ricVersion ?? '0').split('.')[0]);

const sandboxes: Sandbox[] = [];
const pids = new Set<number>();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function start(opts: SandboxOptions): Promise<Sandbox> {
  const sb = await startSandbox({ region: 'us-east-1', log: () => {}, ...opts });
  sandboxes.push(sb);
  return sb;
}

function track(sb: Sandbox): number {
  const pid = sb.pid;
  expect(pid).toBeTypeOf('number');
  pids.add(pid!);
  return pid!;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(10);
  }
  return cond();
}

afterAll(async () => {
  await Promise.allSettled(sandboxes.map((s) => s.shutdown()));
  // No orphans: every sandbox process we saw is gone (or at worst a zombie about to be reaped).
  await until(() => [...pids].every((p) => procState(p) === undefined || procState(p) === 'Z'), 2000);
  for (const p of pids) expect([undefined, 'Z']).toContain(procState(p));
});

describe('template.ts (SAM template like sam local invoke)', () => {
  it('merges Globals, resolves !Ref to parameter defaults, placeholders other intrinsics, applies --env-vars like SAM', () => {
    const fn = loadFunctionConfig({ template: TEMPLATE, functionId: 'EchoFunction', envVarsFile: ENV_VARS, region: 'eu-west-1' });
    expect(fn).toMatchObject({
      logicalId: 'EchoFunction',
      functionName: 'EchoFunction',
      handler: 'echo.handler',
      runtime: 'nodejs24.x',
      timeoutSeconds: 3,
      memoryMB: 256,
      codeDir: path.join(FIXTURES, 'functions'),
    });
    expect(fn.environment).toEqual({
      GLOBAL_VAR: 'from-env-vars-parameters', // "Parameters" section of --env-vars: every function
      OVERRIDE_ME: 'from-env-vars', // function section beats template, template beats Globals
      STAGE: 'dev',
      SUB: 'dev-eu-west-1',
      TABLE: '<Ref Table>',
      TABLE_ARN: '<Fn::GetAtt Table.Arn>',
      CONDITIONAL: '<Fn::If IsProd.yes.no>',
      FROM_TEMPLATE: 'yes',
    });
    expect(fn.ignoredEnvVars).toEqual(['NOT_IN_TEMPLATE']);
    expect(loadFunctionConfig({ template: TEMPLATE, functionId: 'SlowFunction' }).timeoutSeconds).toBe(1);
    expect(loadFunctionConfig({ template: TEMPLATE, functionId: 'EchoFunction', parameterOverrides: { Stage: 'prod' } }).environment.STAGE).toBe('prod');
    expect(() => loadFunctionConfig({ template: TEMPLATE, functionId: 'Table' })).toThrow(/no function 'Table'/);
    expect(() => loadFunctionConfig({ template: TEMPLATE })).toThrow(/name the function/);
  });
});

describe('runtime client selection', () => {
  it('uses the real aws-lambda-ric when it is installed and built, the mini client on request', async () => {
    // aws-lambda-ric is an optional dependency: npm skips it silently when its build fails, or (4.x,
    // engines node>=22) when npm itself runs on an older Node. RUNNER_REQUIRE_RIC=1 makes that an error.
    if (process.env.RUNNER_REQUIRE_RIC === '1') expect({ ricVersion, ricBuilt }).toMatchObject({ ricVersion: expect.any(String), ricBuilt: true });
    const auto = await start({ template: TEMPLATE, functionId: 'EchoFunction' });
    if (ricVersion && ricBuilt) {
      expect(auto.client).toBe('aws-lambda-ric');
      expect(auto.clientVersion).toBe(ricVersion);
    } else {
      expect(auto.client).toBe('mini');
    }
    const mini = await start({ template: TEMPLATE, functionId: 'EchoFunction', client: 'mini' });
    expect(mini.client).toBe('mini');
    const r = await mini.invoke({ via: 'mini' });
    track(mini);
    expect(r.result).toMatchObject({ count: 1, event: { via: 'mini' } });
  });

  it('falls back to the mini client when aws-lambda-ric cannot be found, and says so', async () => {
    const lines: string[] = [];
    const prev = process.env.LAMBDA_RUNNER_RIC_DIR;
    process.env.LAMBDA_RUNNER_RIC_DIR = path.join(os.tmpdir(), 'no-such-aws-lambda-ric');
    try {
      const sb = await startSandbox({ template: TEMPLATE, functionId: 'EchoFunction', log: (l) => lines.push(l) });
      sandboxes.push(sb);
      expect(sb.client).toBe('mini');
      await expect(startSandbox({ template: TEMPLATE, functionId: 'EchoFunction', client: 'aws-lambda-ric', log: () => {} })).rejects.toThrow(/unusable/);
    } finally {
      if (prev === undefined) delete process.env.LAMBDA_RUNNER_RIC_DIR;
      else process.env.LAMBDA_RUNNER_RIC_DIR = prev;
    }
    expect(lines.join('\n')).toMatch(/runtime client: mini-ric \(fallback: aws-lambda-ric is not installed\)/);
  });
});

const clients = (['auto', 'mini'] as const).map((c) => ({ c }));

describe.each(clients)('sandbox (client: $c)', ({ c }) => {
  const expectedClient = c === 'mini' || !(ricVersion && ricBuilt) ? 'mini' : 'aws-lambda-ric';
  const base = { template: TEMPLATE, client: c } as const;

  it('cold start, then warm in the same process; frozen (state T) between invocations', async () => {
    const sb = await start({ ...base, functionId: 'EchoFunction' });
    expect(sb.client).toBe(expectedClient);
    expect(sb.pid).toBeUndefined(); // on-demand: init happens on the first invoke
    const first = await sb.invoke({ n: 1 });
    const pid = track(sb);
    expect(first.error).toBeUndefined();
    expect(first.coldStart).toBe(true);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(first.result).toMatchObject({ count: 1, pid, node: expect.stringMatching(/^v24\./), event: { n: 1 } });
    expect(first.logs).toMatch(/START RequestId: .* Version: \$LATEST/);
    expect(first.logs).toContain('echo invocation 1');
    expect(first.logs).toMatch(/REPORT RequestId: .*Init Duration: /);

    expect(sb.frozen).toBe(true);
    expect(sb.freezeCount).toBe(1);
    expect(procState(pid)).toBe('T');

    const second = await sb.invoke({ n: 2 });
    expect(second.coldStart).toBe(false);
    expect(second.initDurationMs).toBeUndefined();
    expect(second.result).toMatchObject({ count: 2, pid });
    expect(second.logs).not.toMatch(/Init Duration/);
    expect(sb.freezeCount).toBe(2);
    expect(sb.freezes[0]!.thawedAt).toBeGreaterThanOrEqual(sb.freezes[0]!.frozenAt);
    expect(procState(pid)).toBe('T');
  });

  it('context carries the request id, deadline, ARN and X-Ray header; env from template + --env-vars + env', async () => {
    process.env.RUNNER_TEST_LEAK = 'host-only';
    const sb = await start({ ...base, functionId: 'EchoFunction', envVarsFile: ENV_VARS, env: { EXTRA: 'extra' } });
    const traceHeader = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const before = Date.now();
    const r = await sb.invoke({}, { traceHeader, clientContext: { custom: { k: 'v' } } });
    track(sb);
    const out = r.result as Record<string, any>;
    expect(out.awsRequestId).toBe(r.requestId);
    expect(out.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:EchoFunction');
    expect(out.functionName).toBe('EchoFunction');
    expect(out.functionVersion).toBe('$LATEST');
    expect(String(out.memoryLimitInMB)).toBe('256');
    expect(out.logGroupName).toBe('/aws/lambda/EchoFunction');
    expect(out.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    // deadline = delivery + Timeout (3 s)
    expect(out.remainingMs).toBeGreaterThan(2000);
    expect(out.remainingMs).toBeLessThanOrEqual(3000);
    expect(out.now + out.remainingMs).toBeGreaterThanOrEqual(before + 2000);
    expect(out.env._X_AMZN_TRACE_ID).toBe(traceHeader);
    expect(out.xRayTraceId).toBe(traceHeader);
    expect(out.clientContext).toEqual({ custom: { k: 'v' } });
    expect(out.cwd).toBe(path.join(FIXTURES, 'functions'));
    expect(out.env).toMatchObject({
      STAGE: 'dev',
      SUB: 'dev-us-east-1',
      OVERRIDE_ME: 'from-env-vars',
      GLOBAL_VAR: 'from-env-vars-parameters',
      EXTRA: 'extra',
      AWS_LAMBDA_FUNCTION_NAME: 'EchoFunction',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_RUNTIME_API: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      LAMBDA_TASK_ROOT: path.join(FIXTURES, 'functions'),
      _HANDLER: 'echo.handler',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      AWS_ACCESS_KEY_ID: expect.any(String),
      AWS_SECRET_ACCESS_KEY: expect.any(String),
      AWS_SESSION_TOKEN: expect.any(String),
    });
    expect(out.env.NOT_IN_TEMPLATE).toBeUndefined(); // SAM ignores undeclared --env-vars
    expect(out.env.RUNNER_TEST_LEAK).toBeUndefined(); // the host environment does not leak in
    expect(out.env.PATH.split(':')[0]).toBe(path.dirname(resolveNodeBinary()));
    delete process.env.RUNNER_TEST_LEAK;

    // A generated trace header has X-Ray's shape.
    const r2 = await sb.invoke({});
    expect((r2.result as any).xRayTraceId).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
  });

  it('handler error becomes an error result with errorType; the sandbox stays warm', async () => {
    const sb = await start({ ...base, functionId: 'ErrorFunction' });
    const r = await sb.invoke({});
    const pid = track(sb);
    expect(r.result).toBeUndefined();
    expect(r.timedOut).toBe(false);
    expect(r.error).toMatchObject({ errorType: 'CustomError', errorMessage: 'something broke' });
    expect(r.error!.trace!.join('\n')).toContain('error.mjs');
    expect(r.logs).toMatch(/Invoke Error/);
    const ok = await sb.invoke({ ok: true });
    expect(ok.coldStart).toBe(false);
    expect(ok.result).toEqual({ ok: true, pid });
  });

  it('timeout: "Task timed out after N seconds", process killed, next invoke is a fresh cold sandbox', async () => {
    const sb = await start({ ...base, functionId: 'SlowFunction' });
    const t0 = Date.now();
    const r = await sb.invoke({ sleepMs: 5000 });
    const elapsed = Date.now() - t0;
    expect(r.timedOut).toBe(true);
    expect(r.error?.errorType).toBe('Sandbox.Timedout');
    expect(r.error?.errorMessage).toMatch(/^RequestId: \S+ Error: Task timed out after 1\.00 seconds$/);
    expect(r.logs).toMatch(/Task timed out after 1\.00 seconds/);
    expect(r.logs).toMatch(/Status: timeout/);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);
    expect(sb.pid).toBeUndefined();

    const next = await sb.invoke({ sleepMs: 10 });
    const pid = track(sb);
    expect(next.coldStart).toBe(true);
    expect(next.timedOut).toBe(false);
    expect(next.result).toEqual({ slept: 10, pid });
  });

  it('callback-style (3-parameter) handler: what the client does on Node 24', async () => {
    const sb = await start({ ...base, functionId: 'CallbackFunction' });
    const r = await sb.invoke({});
    if (sb.client === 'aws-lambda-ric' && ricMajor < 4) {
      // aws-lambda-ric 3.x still runs callback handlers.
      expect(r.result).toEqual({ callback: true });
    } else {
      // aws-lambda-ric 4.x (= the nodejs24.x runtime) and mini refuse them at init.
      expect(r.error?.errorType).toBe('Runtime.CallbackHandlerDeprecated');
      expect(r.error?.errorMessage).toMatch(/removed support for callback-based function handlers starting with Node.js 24/);
      expect(r.coldStart).toBe(true);
      expect(sb.pid).toBeUndefined(); // init failed: the next invoke re-inits
    }
  });

  it("shutdown: thaw, SIGTERM, the handler's SIGTERM listener runs within ~500 ms", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-sigterm-'));
    try {
      // A listener that exits: graceful.
      const marker1 = path.join(dir, 'exit');
      const sb1 = await start({ ...base, functionId: 'SigtermFunction', env: { SIGTERM_MARKER: marker1, SIGTERM_EXIT: '1' } });
      await sb1.invoke({});
      const pid1 = track(sb1);
      expect(procState(pid1)).toBe('T');
      let t0 = Date.now();
      const s1 = await sb1.shutdown();
      expect(Date.now() - t0).toBeLessThan(1500);
      // With aws-lambda-ric, process.exit() inside the listener hangs until SIGKILL: its native
      // client's pending `next` (curl, in a libuv threadpool thread) blocks Node's exit. Lambda
      // behaves the same (SIGKILL after the grace period); our mini client exits cleanly.
      expect(s1.exitedGracefully).toBe(sb1.client === 'mini');
      const written = Number(/^SIGTERM at (\d+)/.exec(fs.readFileSync(marker1, 'utf8'))?.[1]);
      expect(written - t0).toBeLessThan(500);
      expect(s1.logs).toContain('SIGTERM received');
      expect(procState(pid1)).toBeUndefined();

      // A listener that only flushes (keeps the process alive): SIGKILL after the ~500 ms grace.
      const marker2 = path.join(dir, 'stay');
      const sb2 = await start({ ...base, functionId: 'SigtermFunction', env: { SIGTERM_MARKER: marker2 } });
      await sb2.invoke({});
      const pid2 = track(sb2);
      t0 = Date.now();
      const s2 = await sb2.shutdown();
      const took = Date.now() - t0;
      expect(s2.exitedGracefully).toBe(false);
      expect(took).toBeGreaterThanOrEqual(480);
      expect(took).toBeLessThan(1500);
      expect(Number(/^SIGTERM at (\d+)/.exec(fs.readFileSync(marker2, 'utf8'))?.[1]) - t0).toBeLessThan(500);
      expect(s2.logs).toContain('SIGTERM received');
      expect(procState(pid2)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('freeze demo: work scheduled after the response', () => {
    let server: http.Server;
    let url = '';
    const received: { requestId: string; at: number }[] = [];

    beforeAll(async () => {
      server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ requestId: (JSON.parse(body) as { requestId: string }).requestId, at: Date.now() });
          res.end('ok');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/post`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('with freeze, the POST is stuck while frozen and arrives once the next invoke thaws the sandbox', async () => {
      received.length = 0;
      const sb = await start({ ...base, functionId: 'DeferredFunction' });
      const first = await sb.invoke({ url });
      const pid = track(sb);
      expect(sb.frozen).toBe(true);
      await sleep(300);
      expect(procState(pid)).toBe('T');
      expect(received).toEqual([]); // stuck in the frozen sandbox

      // Thaw by invoking again; this invocation holds 300 ms so the pending timer gets to run.
      const second = await sb.invoke({ url, holdMs: 300 });
      const thawedAt = sb.freezes[0]!.thawedAt!;
      expect(await until(() => received.some((x) => x.requestId === first.requestId), 2000)).toBe(true);
      const late = received.find((x) => x.requestId === first.requestId)!;
      expect(late.at).toBeGreaterThanOrEqual(thawedAt);
      expect(second.result).toEqual({ requestId: second.requestId });
      // ...and the second invocation's own deferred POST is stuck again.
      await sleep(300);
      expect(received.some((x) => x.requestId === second.requestId)).toBe(false);
    });

    it('with freeze: false, the POST arrives without another invocation', async () => {
      received.length = 0;
      const sb = await start({ ...base, functionId: 'DeferredFunction', freeze: false });
      const r = await sb.invoke({ url });
      const pid = track(sb);
      expect(sb.frozen).toBe(false);
      expect(sb.freezeCount).toBe(0);
      expect(await until(() => received.some((x) => x.requestId === r.requestId), 1000)).toBe(true);
      expect(procState(pid)).not.toBe('T');
    });
  });
});

describe('cli.ts', () => {
  it('invokes N times in one warm sandbox, result JSON on stdout, logs + REPORT on stderr', () => {
    const p = spawnSync(
      resolveNodeBinary(),
      [
        path.join(ROOT, 'tools/runner/cli.ts'),
        'EchoFunction',
        '-e',
        path.join(FIXTURES, 'event.json'),
        '--env-vars',
        ENV_VARS,
        '--template',
        TEMPLATE,
        '-n',
        '3',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 20_000, env: { ...process.env, AWS_REGION: 'us-east-1' } },
    );
    expect(p.status, p.stderr).toBe(0);
    const results = p.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { count: number; pid: number; event: unknown });
    expect(results.map((r) => r.count)).toEqual([1, 2, 3]);
    expect(new Set(results.map((r) => r.pid)).size).toBe(1);
    expect(results[0]!.event).toEqual({ hello: 'world' });
    expect(p.stderr).toMatch(/runtime client: (aws-lambda-ric|mini-ric)/);
    expect(p.stderr.match(/^REPORT RequestId: .*Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB/gm)).toHaveLength(3);
    expect(p.stderr.match(/Init Duration/g)).toHaveLength(1);
    expect(procState(results[0]!.pid)).toBeUndefined();
  });
});
