/**
 * Chooses what runs inside the sandbox process: AWS's real runtime interface
 * client (`aws-lambda-ric`, with its native `rapid-client.node`) when it is
 * installed and its addon loads under the Node binary we use, else our own
 * `mini-ric.mjs`. Also picks that Node binary (Node 24, like nodejs24.x).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ClientKind = 'aws-lambda-ric' | 'mini';

export interface RuntimeClient {
  kind: ClientKind;
  /** Script the sandbox runs with node. */
  entry: string;
  /** Extra argv after the entry (aws-lambda-ric 3.x takes the handler as argv[2]). */
  args: (handler: string) => string[];
  /** Directory standing in for /var/runtime (LAMBDA_RUNTIME_DIR). */
  runtimeDir: string;
  version: string | undefined;
  /** Why the real client was not used (only for 'mini'). */
  fallbackReason?: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const MINI_RIC = path.join(HERE, 'mini-ric.mjs');

/** Node 24, as on nodejs24.x: this process's node if it is 24+, else the npm `node` package's binary. */
export function resolveNodeBinary(): string {
  const override = process.env.LAMBDA_RUNNER_NODE;
  if (override) return override;
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return process.execPath;
  for (const dir of ancestors(HERE).concat(ancestors(process.cwd()))) {
    const bin = path.join(dir, 'node_modules', 'node', 'bin', 'node');
    if (fs.existsSync(bin)) return bin;
  }
  return process.execPath;
}

function ancestors(start: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(start);
  for (;;) {
    out.push(dir);
    const parent = path.dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

function findRicDir(): string | undefined {
  const override = process.env.LAMBDA_RUNNER_RIC_DIR;
  if (override) return fs.existsSync(path.join(override, 'package.json')) ? path.resolve(override) : undefined;
  for (const dir of ancestors(HERE).concat(ancestors(process.cwd()))) {
    const candidate = path.join(dir, 'node_modules', 'aws-lambda-ric');
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}

const probeCache = new Map<string, RuntimeClient>();

/**
 * Locate aws-lambda-ric and check, in a throwaway child process, that its native
 * addon loads (loading it without AWS_LAMBDA_RUNTIME_API aborts the process, so
 * never do it in ours). Returns the mini client with a reason when it can't be used.
 */
export function resolveClient(want: 'auto' | ClientKind, nodeBinary: string): RuntimeClient {
  const mini = (reason?: string): RuntimeClient => ({
    kind: 'mini',
    entry: MINI_RIC,
    args: () => [],
    runtimeDir: HERE,
    version: undefined,
    ...(reason ? { fallbackReason: reason } : {}),
  });
  if (want === 'mini') return mini();
  const key = `${nodeBinary}\0${process.env.LAMBDA_RUNNER_RIC_DIR ?? ''}`;
  let found = probeCache.get(key);
  if (!found) {
    found = probeRic(nodeBinary) ?? mini();
    probeCache.set(key, found);
  }
  if (found.kind === 'mini') {
    const reason = found.fallbackReason ?? 'aws-lambda-ric is not installed';
    if (want === 'aws-lambda-ric') throw new Error(`client 'aws-lambda-ric' requested but unusable: ${reason}`);
    return mini(reason);
  }
  return found;
}

function probeRic(nodeBinary: string): RuntimeClient | undefined {
  const dir = findRicDir();
  if (!dir) return { ...miniShape(), fallbackReason: 'aws-lambda-ric is not installed' };
  let pkg: { version?: string; bin?: string | Record<string, string>; main?: string };
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as typeof pkg;
  } catch (e) {
    return { ...miniShape(), fallbackReason: `cannot read ${dir}/package.json: ${String(e)}` };
  }
  const version = pkg.version;
  const major = Number((version ?? '0').split('.')[0]);
  const addon = [path.join(dir, 'rapid-client.node'), path.join(dir, 'dist', 'rapid-client.node')].find((f) => fs.existsSync(f));
  if (!addon) return { ...miniShape(), fallbackReason: `aws-lambda-ric ${version} has no built rapid-client.node (its native build failed or was skipped)` };
  const probe = spawnSync(nodeBinary, ['-e', 'process.env.AWS_LAMBDA_RUNTIME_API="127.0.0.1:9"; require(process.argv[1]);', addon], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { PATH: process.env.PATH ?? '' },
  });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit ${probe.status ?? probe.signal}`).trim().split('\n').slice(0, 3).join(' | ');
    return { ...miniShape(), fallbackReason: `aws-lambda-ric ${version}: native addon does not load: ${why}` };
  }
  const bin = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin?.['aws-lambda-ric'] ?? pkg.main ?? 'index.mjs');
  return {
    kind: 'aws-lambda-ric',
    entry: path.join(dir, bin),
    // 3.x's bin takes the handler as argv[2] (app root = cwd); 4.x reads _HANDLER / LAMBDA_TASK_ROOT.
    args: major >= 4 ? () => [] : (handler) => [handler],
    runtimeDir: dir,
    version,
  };
}

function miniShape(): RuntimeClient {
  return { kind: 'mini', entry: MINI_RIC, args: () => [], runtimeDir: HERE, version: undefined };
}
