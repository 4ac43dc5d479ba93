/** The sandbox process's surroundings: no orphan left behind, Lambda's trace header, log stream and paths. */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

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
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
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
