/** The sandbox process's surroundings: no orphan left behind, Lambda's trace header, log stream and paths. */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { SandboxConfig } from './sandbox-types.ts';

// Every live sandbox process, so that none outlives us (a frozen orphan would stay stopped forever).
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
export function track(p: ChildProcess): void {
  live.add(p);
  p.once('exit', () => live.delete(p));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) {
        try {
          c.kill('SIGKILL');
        } catch {
          /* already gone */
        }
      }
    });
  }
}

export function newTraceHeader(): string {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
}

export function logStreamName(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/**
 * Templates name files under /var/task, where Lambda (and sam local) mount the code; the runner runs it from
 * codeDir. NODE_OPTIONS takes double-quoted values for paths with spaces.
 */
export function taskRootPaths(nodeOptions: string, codeDir: string): string {
  return nodeOptions.replace(/\/var\/task\/(\S+)/g, (_, file: string) => {
    const local = path.join(codeDir, file);
    return /\s/.test(local) ? JSON.stringify(local) : local;
  });
}

/** The variables Lambda sets (region, task root, runtime API, fake credentials…) around the function's own. */
export function sandboxEnv(c: SandboxConfig, logStream: string, apiAddress: string): Record<string, string> {
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
    AWS_LAMBDA_LOG_STREAM_NAME: logStream,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_RUNTIME_API: apiAddress,
    LAMBDA_TASK_ROOT: c.codeDir,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    _HANDLER: c.handler,
  };
  const env = { ...base, ...c.environment, ...reserved };
  if (env.NODE_OPTIONS) env.NODE_OPTIONS = taskRootPaths(env.NODE_OPTIONS, c.codeDir);
  return env;
}
