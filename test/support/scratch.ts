/**
 * A user's project outside the repository: a git repository of this working tree (what a clone would hold, with
 * uncommitted changes, without node_modules), npm run on the Node 24 the project ships, installs served from the
 * local npm cache (`--prefer-offline`; the registry only for what the cache lacks), and the README's own files.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveNodeBinary } from '../../tools/runner/client.ts';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const NODE_DIR = path.dirname(resolveNodeBinary());
/** PATH for npm and npx: our Node 24 first, as in the README's "npm install brings Node 24". */
/** What an installed package must hold, whichever way it was installed (besides its package.json). */
export const PACKAGE_FILES = [
  'dist/esm/index.js',
  'dist/esm/index.d.ts',
  'dist/cjs/index.js',
  'dist/cjs/index.d.ts',
  'dist/extension.mjs',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
];
export const PATH = `${NODE_DIR}${path.delimiter}${process.env.PATH ?? ''}`;

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function run(cmd: string, args: string[], cwd: string, timeout = 240_000): string {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  // What npm sets for the running test script (npm_config_local_prefix, npm_package_*...) is not the user's.
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) && !/^npm_config_(audit|fund|update_notifier)$/.test(k)) delete env[k];
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/**
 * Copies the working tree's files (tracked and untracked-but-not-ignored; never node_modules, which here is a
 * symlink into the shared install) into `dir` and commits them, so `dir` is what a fresh clone would be.
 */
export function snapshotRepo(dir: string): string {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && f !== 'node_modules' && !f.startsWith('node_modules/') && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=scratch', '-c', 'user.email=scratch@example.com', '-c', 'commit.gpgsign=false', 'commit', '-qm', 'snapshot of the working tree');
  return dir;
}

/** `name@version` as installed here: a version the npm cache holds, since this checkout was installed from it. */
export function installed(name: string): string {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return `${name}@${version}`;
}

export function npmInstall(cwd: string, specs: string[], opts: { dev?: boolean; timeoutMs?: number } = {}): string {
  return run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...(opts.dev ? ['--save-dev'] : []), ...specs],
    cwd,
    opts.timeoutMs,
  );
}

/** A new project folder as `npm init -y` makes one. */
export function newProject(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2) + '\n');
  return dir;
}

/** Runs `code` in `cwd` as an ES module or a CommonJS script; returns what it printed. */
export function nodeEval(cwd: string, code: string, type: 'module' | 'commonjs'): string {
  return run(resolveNodeBinary(), [`--input-type=${type}`, '-e', code], cwd).trim();
}
