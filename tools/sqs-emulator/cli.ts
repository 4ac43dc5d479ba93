/** `npm run sqs-emulator -- [--port 9324] [queue...]`: the SQS emulator on its own (Ctrl-C stops it). */
import { parseCli, runMain, usageError } from '../cli.ts';
import { startSqsEmulator } from './index.ts';

const COMMAND = 'npm run sqs-emulator';
const USAGE = `usage: npm run sqs-emulator -- [--port 9324] [queue...]
  A tiny Amazon SQS emulator on 127.0.0.1 (AWS JSON 1.0; point the SDK at it with AWS_ENDPOINT_URL_SQS).
  --port N   port to listen on (default 9324, what events/env.json's QUEUE_URL names)
  queue...   queues to create (default: jobs)`;

async function main(): Promise<number> {
  const { values, positionals } = parseCli(COMMAND, USAGE, { port: { type: 'string' } }, true);
  // `node tools/sqs-emulator/cli.ts 9324 jobs` (a leading number is the port) still works.
  const names = [...positionals];
  const raw = values.port ?? (names[0] !== undefined && /^\d+$/.test(names[0]) ? names.shift()! : '9324');
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(COMMAND, USAGE, `--port: not a port number: ${raw}`);
  const queues = names.length ? names : ['jobs'];
  const emu = await startSqsEmulator({ port, queues });
  console.log(`sqs-emulator listening: AWS_ENDPOINT_URL_SQS=${emu.url}`);
  for (const n of queues) console.log(`  queue ${n}: ${emu.queueUrl(n)}`);
  const stop = () => void emu.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => {}); // runs until interrupted
}

runMain(COMMAND, main);
