/**
 * What every command-line tool here shares: `--help` (usage on stdout, exit 0, nothing else done), a one-line
 * error plus the usage for a flag it does not know (exit 2), one-line messages for the file, JSON and port errors
 * users actually hit, and the Node version check (the npm scripts run the Node 24 of the `node` dev dependency).
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

const MIN_NODE_MAJOR = 24;

/** Exits with one line when this Node cannot run the tools (Node 22.18+/23 load .ts files but are not 24). */
export function requireNode24(command: string): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return;
  process.stderr.write(
    `${command}: needs Node ${MIN_NODE_MAJOR}+, this is Node ${process.versions.node}; run it through npm (npm start, npm run …), which brings Node ${MIN_NODE_MAJOR} from the \`node\` dev dependency\n`,
  );
  process.exit(1);
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with the house rules for --help and unknown flags; never returns when it printed usage or an error. */
export function parseCli<O extends Options>(command: string, usage: string, options: O, allowPositionals = false) {
  requireNode24(command);
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as const;
  let parsed: { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] };
  try {
    parsed = parseArgs({ options: all, allowPositionals, strict: true }) as typeof parsed;
  } catch (err) {
    process.stderr.write(`${command}: ${oneLine(err)}\n${usage}\n`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed;
}

/** The message of a parse error without Node's hints about `--` (one line). */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
}

/** Exits 2 with `command: message` and the usage (for arguments the tool itself rejects). */
export function usageError(command: string, usage: string, message: string): never {
  process.stderr.write(`${command}: ${message}\n${usage}\n`);
  process.exit(2);
}

/** One line for the errors users hit (missing file, busy port, bad JSON); the stack only for the unexpected. */
export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e?.code === 'EADDRINUSE') return `port ${e.port ?? '?'} on ${e.address ?? '127.0.0.1'} is already in use (another process listens there; pick another with --port)`;
  if (e?.code === 'EACCES' && e.syscall === 'listen') return `port ${e.port ?? '?'} needs privileges to listen on`;
  if (e?.code === 'ENOENT' && e.path) return `${e.path}: no such file`;
  if (e?.code === 'EISDIR' && e.path) return `${e.path}: is a directory, not a file`;
  if (e?.code === 'EACCES' && e.path) return `${e.path}: permission denied`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Reads and parses a JSON file, with errors that name it. */
export async function readJsonFile(file: string): Promise<unknown> {
  const fs = await import('node:fs');
  const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file === '-' ? 'stdin' : file}: not valid JSON (${(err as Error).message})`);
  }
}

/** Runs a CLI's main: its exit code, or one line on stderr and `errorCode` for an error it threw. */
export function runMain(command: string, main: () => Promise<number>, cleanup: () => Promise<void> = async () => {}, errorCode = 1): void {
  main().then(
    (code) => process.exit(code),
    async (err: unknown) => {
      process.stderr.write(`${command}: ${describeError(err)}\n`);
      if (process.env.DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      await cleanup().catch(() => {});
      process.exit(errorCode);
    },
  );
}
