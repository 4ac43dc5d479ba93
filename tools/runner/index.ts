/**
 * Local Lambda runner: runs a function's built bundle under Node 24 with the
 * real runtime interface client (aws-lambda-ric) against our Runtime API, and
 * freezes the process between invocations like Lambda does.
 */
import path from 'node:path';
import { resolveClient, resolveNodeBinary } from './client.ts';
import type { ClientKind } from './client.ts';
import { LambdaSandbox } from './sandbox.ts';
import type { FreezeRecord, InvokeOptions, InvokeResult } from './sandbox.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, loadFunctionConfig } from './template.ts';

export type { InvokeOptions, InvokeResult, FreezeRecord } from './sandbox.ts';
export type { ClientKind } from './client.ts';
export { loadFunctionConfig } from './template.ts';

export interface SandboxOptions {
  template?: string;
  functionId?: string;
  envVarsFile?: string;
  /** Extra variables for the function, applied after the template and --env-vars (any name). */
  env?: Record<string, string>;
  // or explicit, without a template:
  codeDir?: string;
  handler?: string;
  timeoutSeconds?: number;
  memoryMB?: number;
  functionName?: string;
  /** 'auto' (default): aws-lambda-ric when its native addon loads, else our mini client. */
  client?: 'auto' | ClientKind;
  /** SIGSTOP the process between invocations (default true). */
  freeze?: boolean;
  /** Default: AWS_REGION of this process, else us-east-1. */
  region?: string;
  /** Template parameter values (like sam's --parameter-overrides). */
  parameterOverrides?: Record<string, string>;
  /** Where the one "which runtime client" line goes (default: process.stderr). */
  log?: (line: string) => void;
}

export interface Sandbox {
  client: ClientKind;
  invoke(event: unknown, opts?: InvokeOptions): Promise<InvokeResult>;
  frozen: boolean;
  freezeCount: number;
  pid: number | undefined;
  /** Freeze / thaw times (epoch ms). */
  freezes: readonly FreezeRecord[];
  /** The client's version when it is aws-lambda-ric. */
  clientVersion: string | undefined;
  /** Names of the extensions registered through the Extensions API in the current process. */
  extensions: readonly string[];
  shutdown(): Promise<{ exitedGracefully: boolean; logs: string }>;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const region = opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const { functionName, handler, codeDir, timeoutSeconds, memoryMB, environment } = functionSettings(opts, region, log);

  const nodeBinary = resolveNodeBinary();
  const client = resolveClient(opts.client ?? 'auto', nodeBinary);
  log(
    client.kind === 'aws-lambda-ric'
      ? `[lambda-runner] runtime client: aws-lambda-ric ${client.version ?? '?'} (${client.entry})`
      : `[lambda-runner] runtime client: mini-ric (fallback${client.fallbackReason ? `: ${client.fallbackReason}` : ', as requested'})`,
  );

  const sb = new LambdaSandbox({
    functionName,
    handler,
    codeDir,
    timeoutSeconds,
    memoryMB,
    environment,
    region,
    client,
    nodeBinary,
    freeze: opts.freeze ?? true,
  });
  await sb.start();
  return {
    client: client.kind,
    clientVersion: client.version,
    invoke: (event, o) => sb.invoke(event, o),
    get frozen() {
      return sb.frozen;
    },
    get freezeCount() {
      return sb.freezeCount;
    },
    get pid() {
      return sb.pid;
    },
    get freezes() {
      return sb.freezes;
    },
    get extensions() {
      return sb.extensions.registered();
    },
    shutdown: () => sb.shutdown(),
  };
}

/** The function to run: from the template (options override it) or from the options alone. */
function functionSettings(
  opts: SandboxOptions,
  region: string,
  log: (line: string) => void,
): { functionName: string; handler: string; codeDir: string; timeoutSeconds: number; memoryMB: number; environment: Record<string, string> } {
  if (!opts.template) {
    if (!opts.codeDir || !opts.handler) throw new Error('startSandbox: give a template, or codeDir and handler');
    return {
      codeDir: path.resolve(opts.codeDir),
      handler: opts.handler,
      functionName: opts.functionName ?? 'local-function',
      timeoutSeconds: opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      memoryMB: opts.memoryMB ?? DEFAULT_MEMORY_MB,
      environment: { ...opts.env },
    };
  }
  const fn = loadFunctionConfig({
    template: opts.template,
    ...(opts.functionId ? { functionId: opts.functionId } : {}),
    ...(opts.envVarsFile ? { envVarsFile: opts.envVarsFile } : {}),
    ...(opts.parameterOverrides ? { parameterOverrides: opts.parameterOverrides } : {}),
    region,
  });
  if (fn.ignoredEnvVars.length > 0) {
    log(`[lambda-runner] --env-vars: ${fn.ignoredEnvVars.join(', ')} ignored (not declared in the template's Environment.Variables, as with sam local)`);
  }
  if (fn.runtime && fn.runtime !== 'nodejs24.x') log(`[lambda-runner] template says Runtime ${fn.runtime}; running on Node 24 (nodejs24.x)`);
  return {
    functionName: opts.functionName ?? fn.functionName,
    handler: opts.handler ?? fn.handler,
    codeDir: opts.codeDir ? path.resolve(opts.codeDir) : fn.codeDir,
    timeoutSeconds: opts.timeoutSeconds ?? fn.timeoutSeconds,
    memoryMB: opts.memoryMB ?? fn.memoryMB,
    environment: { ...fn.environment, ...opts.env },
  };
}
