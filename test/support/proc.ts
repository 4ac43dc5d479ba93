import fs from 'node:fs';

/** Process state letter from /proc/<pid>/stat ('T' = stopped, 'Z' = zombie), or undefined when gone. */
export function procState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
}
