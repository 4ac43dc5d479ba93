/**
 * One Lambda execution environment: a Node process running a runtime
 * interface client against our Runtime API, with Lambda's environment
 * variables, its timeout, and Lambda's freeze: once the response is in and the
 * runtime is parked in `next` again, the process gets SIGSTOP; the next
 * invocation sends SIGCONT before the event is delivered.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RuntimeClient } from './client.ts';
import { attachExtensionsApi } from './extensions-api.ts';
import { RuntimeApi } from './runtime-api.ts';
import type { InvocationOutcome } from './runtime-api.ts';
import { outcomeResult, parseErrorBody } from './outcome.ts';
import type { InvocationWatch } from './outcome.ts';
import { logStreamName, newTraceHeader, taskRootPaths, track } from './process.ts';
import type { FreezeRecord, InvokeOptions, InvokeResult, SandboxConfig } from './sandbox-types.ts';

export type { FreezeRecord, InvokeOptions, InvokeResult, SandboxConfig } from './sandbox-types.ts';

/** Lambda gives the runtime about this long between SIGTERM and SIGKILL at shutdown. */
export const SHUTDOWN_GRACE_MS = 500;
/** Lambda's limit for the on-demand init phase. */
export const INIT_TIMEOUT_MS = 10_000;
const ACCOUNT_ID = '123456789012';
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class LambdaSandbox {
  readonly config: SandboxConfig;
  readonly api = new RuntimeApi();
  frozen = false;
  freezeCount = 0;
  /** Freeze/thaw times (epoch ms), oldest first. */
  readonly freezes: FreezeRecord[] = [];
  private proc: ChildProcess | undefined;
  private spawnedAt = 0;
  private initDoneAt: number | undefined;
  private output = '';
  private outputCursor = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private shuttingDown = false;
  private readonly logStream = logStreamName();
  private idleWaiters: (() => void)[] = [];

  readonly extensions: { registered: () => string[] };

  constructor(config: SandboxConfig) {
    this.config = config;
    this.extensions = attachExtensionsApi(this.api, () => ({ functionName: config.functionName, functionVersion: '$LATEST', handler: config.handler }));
    this.api.on('idle', () => {
      // Synchronously, in the request handler of the runtime's `next`: nothing of the runtime's
      // can run between its `next` call and the freeze.
      if (this.config.freeze && this.proc && !this.frozen && !this.shuttingDown) this.freezeNow();
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    });
    this.api.on('runtime-waiting', () => {
      if (this.initDoneAt === undefined && this.proc) this.initDoneAt = performance.now();
    });
    this.api.on('init-error', (e: { body: string; errorType: string | undefined }) => {
      const parsed = parseErrorBody(e.body, e.errorType ?? 'Runtime.Unknown');
      this.killProcess();
      this.api.reset('init error', parsed);
    });
  }

  get client(): RuntimeClient['kind'] {
    return this.config.client.kind;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    await this.api.start();
  }

  invoke(event: unknown, opts: InvokeOptions = {}): Promise<InvokeResult> {
    const run = this.chain.then(() => this.invokeNow(event, opts));
    this.chain = run.catch(() => {});
    return run;
  }

  private buildEnv(): Record<string, string> {
    const c = this.config;
    const nodeDir = path.dirname(c.nodeBinary);
    const runtimeDir = c.client.runtimeDir;
    const base: Record<string, string> = {
      AWS_REGION: c.region,
      AWS_DEFAULT_REGION: c.region,
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: `${nodeDir}:/usr/local/bin:/usr/bin/:/bin:/opt/bin`,
      NODE_PATH: [path.join(runtimeDir, 'node_modules'), runtimeDir, c.codeDir].join(':'),
      // Fake credentials: SDK clients construct fine, any real AWS call fails.
      AWS_ACCESS_KEY_ID: 'ASIALOCALRUNNERFAKE0',
      AWS_SECRET_ACCESS_KEY: 'localRunnerFakeSecretAccessKey0000000000',
      AWS_SESSION_TOKEN: 'localRunnerFakeSessionToken',
    };
    const reserved: Record<string, string> = {
      AWS_LAMBDA_FUNCTION_NAME: c.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.memoryMB),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${c.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: this.logStream,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_RUNTIME_API: this.api.address,
      LAMBDA_TASK_ROOT: c.codeDir,
      LAMBDA_RUNTIME_DIR: runtimeDir,
      _HANDLER: c.handler,
    };
    const env = { ...base, ...c.environment, ...reserved };
    if (env.NODE_OPTIONS) env.NODE_OPTIONS = taskRootPaths(env.NODE_OPTIONS, c.codeDir);
    return env;
  }

  private spawnProcess(): void {
    const c = this.config;
    if (!fs.existsSync(c.codeDir)) throw new Error(`code directory ${c.codeDir} does not exist (build the function first)`);
    this.api.reset('new sandbox');
    const p = spawn(c.nodeBinary, [c.client.entry, ...c.client.args(c.handler)], {
      cwd: c.codeDir,
      env: this.buildEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(p);
    this.proc = p;
    this.spawnedAt = performance.now();
    this.initDoneAt = undefined;
    this.frozen = false;
    const append = (b: Buffer) => {
      this.output += b.toString('utf8');
    };
    p.stdout!.on('data', append);
    p.stderr!.on('data', append);
    p.once('exit', (code, signal) => {
      if (this.proc !== p) return;
      this.proc = undefined;
      this.frozen = false;
      const status = code !== null ? `exit status ${code}` : `signal: ${signal}`;
      const id = this.api.currentInvocation()?.requestId;
      this.api.reset(`runtime exited (${status})`, {
        errorType: 'Runtime.ExitError',
        errorMessage: `${id ? `RequestId: ${id} Error: ` : ''}Runtime exited with error: ${status}`,
      });
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    });
    p.once('error', (err) => {
      this.output += `[lambda-runner] could not start ${c.nodeBinary}: ${err.message}\n`;
    });
  }

  private killProcess(): void {
    const p = this.proc;
    if (!p) return;
    this.proc = undefined;
    this.frozen = false;
    try {
      p.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }

  private freezeNow(): void {
    const pid = this.proc?.pid;
    if (pid === undefined) return;
    process.kill(pid, 'SIGSTOP');
    this.frozen = true;
    this.freezeCount++;
    this.freezes.push({ frozenAt: Date.now() });
  }

  private thaw(): void {
    const pid = this.proc?.pid;
    if (pid !== undefined && this.frozen) process.kill(pid, 'SIGCONT');
    this.frozen = false;
    const last = this.freezes.at(-1);
    if (last && last.thawedAt === undefined) last.thawedAt = Date.now();
  }

  private takeOutput(): string {
    const s = this.output.slice(this.outputCursor);
    this.outputCursor = this.output.length;
    return s;
  }

  /** Resolves when the runtime is parked in next with no work (frozen if freezing), or it died, or after `ms`. */
  private waitIdle(ms: number): Promise<boolean> {
    if (!this.proc) return Promise.resolve(false);
    if (this.api.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        resolve(this.proc !== undefined && this.api.isIdle());
      };
      const t = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((f) => f !== done);
        resolve(false);
      }, Math.max(0, ms));
      this.idleWaiters.push(done);
    });
  }

  private async invokeNow(event: unknown, opts: InvokeOptions): Promise<InvokeResult> {
    if (this.shuttingDown) throw new Error('sandbox is shut down');
    const c = this.config;
    const requestId = randomUUID();
    const timeoutMs = Math.round(c.timeoutSeconds * 1000);
    let coldStart = false;
    if (!this.proc) {
      this.takeOutput(); // whatever a dead process left behind was reported already
      this.spawnProcess();
      coldStart = true;
    } else if (this.frozen) {
      this.thaw();
    }
    const startedAt = performance.now();
    const watch = this.watchInvocation(requestId, timeoutMs, coldStart);
    const outcome: InvocationOutcome = await this.api.enqueue({
      requestId,
      body: JSON.stringify(event === undefined ? {} : event),
      timeoutMs,
      functionArn: `arn:aws:lambda:${c.region}:${ACCOUNT_ID}:function:${c.functionName}`,
      traceHeader: opts.traceHeader ?? newTraceHeader(),
      ...(opts.clientContext !== undefined ? { clientContext: JSON.stringify(opts.clientContext) } : {}),
      ...(opts.identity !== undefined ? { cognitoIdentity: JSON.stringify(opts.identity) } : {}),
    });
    watch.stop();
    const began = watch.deliveredAt ?? startedAt;
    const endedAt = outcome.at;
    const durationMs = endedAt - began;
    let initDurationMs: number | undefined;
    if (coldStart) initDurationMs = (this.initDoneAt ?? watch.deliveredAt ?? endedAt) - this.spawnedAt;
    const postRuntimeMs = outcome.kind === 'aborted' ? undefined : await this.settleAfterResponse(began + timeoutMs, endedAt);
    // Let the pipes deliver what the process wrote before it stopped (or died).
    await delay(10);
    const maxMemoryUsedMB = this.readPeakMemoryMB() ?? watch.peakAtKill;
    const { result, error, streamed } = outcomeResult(outcome, requestId, began);

    let report =
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms` +
      `\tMemory Size: ${c.memoryMB} MB\tMax Memory Used: ${maxMemoryUsedMB ?? '?'} MB`;
    if (initDurationMs !== undefined) report += `\tInit Duration: ${initDurationMs.toFixed(2)} ms`;
    if (watch.timedOut) report += '\tStatus: timeout';
    const logs =
      watch.preLogs +
      `START RequestId: ${requestId} Version: $LATEST\n` +
      this.takeOutput() +
      (watch.timedOut ? `${new Date().toISOString()} ${requestId} Task timed out after ${c.timeoutSeconds.toFixed(2)} seconds\n` : '') +
      `END RequestId: ${requestId}\n${report}\n`;

    return {
      requestId,
      ...(outcome.kind === 'response' ? { result } : {}),
      ...(error ? { error } : {}),
      timedOut: watch.timedOut,
      durationMs,
      ...(initDurationMs !== undefined ? { initDurationMs } : {}),
      coldStart,
      logs,
      report,
      ...(maxMemoryUsedMB !== undefined ? { maxMemoryUsedMB } : {}),
      ...(postRuntimeMs !== undefined ? { postRuntimeMs } : {}),
      ...(streamed ? { streamed } : {}),
    };
  }

  /** Arms the function timeout once the event is delivered, and the init timeout on a cold start. */
  private watchInvocation(requestId: string, timeoutMs: number, coldStart: boolean): InvocationWatch {
    const c = this.config;
    let timer: NodeJS.Timeout | undefined;
    const watch: InvocationWatch = { deliveredAt: undefined, preLogs: '', timedOut: false, peakAtKill: undefined, stop: () => {} };
    const onDelivered = (d: { requestId: string; deliveredAt: number }) => {
      if (d.requestId !== requestId) return;
      watch.deliveredAt = d.deliveredAt;
      watch.preLogs = this.takeOutput();
      timer = setTimeout(() => {
        watch.timedOut = true;
        watch.peakAtKill = this.readPeakMemoryMB();
        this.killProcess();
        this.api.reset('timeout', {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${c.timeoutSeconds.toFixed(2)} seconds`,
        });
      }, timeoutMs);
    };
    this.api.on('delivered', onDelivered);
    const initTimer = coldStart
      ? setTimeout(() => {
          if (watch.deliveredAt !== undefined) return;
          this.killProcess();
          this.api.reset('init timeout', {
            errorType: 'Runtime.InitTimeout',
            errorMessage: `RequestId: ${requestId} Error: init phase did not finish within ${INIT_TIMEOUT_MS / 1000} seconds`,
          });
        }, INIT_TIMEOUT_MS)
      : undefined;
    watch.stop = () => {
      clearTimeout(timer);
      clearTimeout(initTimer);
      this.api.off('delivered', onDelivered);
    };
    return watch;
  }

  /**
   * Lambda freezes once the runtime and every extension call next again; the caller's result comes with it.
   * Returns how long that took after the response, or undefined when the deadline came first (the sandbox is discarded).
   */
  private async settleAfterResponse(deadline: number, endedAt: number): Promise<number | undefined> {
    const idle = await this.waitIdle(deadline - performance.now());
    if (idle) return performance.now() - endedAt;
    if (this.proc) {
      this.output += `[lambda-runner] runtime did not call next before the deadline; discarding the sandbox\n`;
      this.killProcess();
    }
    return undefined;
  }

  private readPeakMemoryMB(): number | undefined {
    const pid = this.proc?.pid;
    if (pid === undefined) return undefined;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Math.ceil(Number(m[1]) / 1024) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Thaw, SIGTERM, wait up to SHUTDOWN_GRACE_MS, then SIGKILL. */
  async shutdown(): Promise<{ exitedGracefully: boolean; logs: string }> {
    await this.chain;
    this.shuttingDown = true;
    const p = this.proc;
    let exitedGracefully = true;
    if (p && p.exitCode === null && p.signalCode === null) {
      const closed = new Promise<void>((r) => p.once('close', () => r()));
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      if (this.frozen) this.thaw();
      p.kill('SIGTERM');
      const inTime = await Promise.race([exited.then(() => true), delay(SHUTDOWN_GRACE_MS).then(() => false)]);
      if (!inTime) {
        exitedGracefully = false;
        p.kill('SIGKILL');
        await exited;
      }
      // stdio may be held open by grandchildren: don't wait for it forever.
      await Promise.race([closed, delay(200)]);
    }
    this.proc = undefined;
    this.frozen = false;
    await this.api.close();
    return { exitedGracefully, logs: this.takeOutput() };
  }
}
