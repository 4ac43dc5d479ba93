// `node tools/sqs-emulator/cli.ts [port] [queue...]`
import { startSqsEmulator } from './index.ts';

const [portArg, ...names] = process.argv.slice(2);
const emu = await startSqsEmulator({ port: Number(portArg ?? 9324), queues: names.length ? names : ['jobs'] });
console.log(`sqs-emulator listening: AWS_ENDPOINT_URL_SQS=${emu.url}`);
for (const n of names.length ? names : ['jobs']) console.log(`  queue ${n}: ${emu.queueUrl(n)}`);
const stop = () => void emu.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
