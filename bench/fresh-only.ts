/**
 * Only the fresh-process figure, many rounds: `node bench/fresh-only.ts [rounds]`. For A/B work on the cold path
 * without the runner phases of `npm run bench`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOtlpReceiver } from '../tools/otlp/index.ts';
import { buildFreshApps, freshColdStarts, freshTable } from './fresh.ts';

const rounds = Number(process.argv[2] ?? 15);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-fresh-'));
const apps = await buildFreshApps(out);
const receiver = await startOtlpReceiver();
try {
  const samples = await freshColdStarts(apps, rounds, receiver, (s) => process.stderr.write(`${s}\n`));
  process.stdout.write(`${freshTable(samples, apps)}\n`);
  process.stderr.write(`bundles in ${apps.dir}\n`);
} finally {
  await receiver.close();
}
