/**
 * `sam local invoke` without Docker:
 *   node tools/runner/cli.ts <FunctionLogicalId> -e events/x.json [--env-vars env.json]
 *     [--template template.yaml] [-n 3] [--no-freeze] [--client auto|aws-lambda-ric|mini]
 * Prints each invocation's result (or error) JSON on stdout, one per line; the
 * function's logs with START/END/REPORT lines go to stderr. Exit status 1 when
 * an invocation failed or timed out.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { startSandbox } from './index.ts';
import type { Sandbox } from './index.ts';

const USAGE = `usage: node tools/runner/cli.ts [FunctionLogicalId] [-e event.json|-] [--env-vars env.json]
       [-t template.yaml] [-n N] [--no-freeze] [--client auto|aws-lambda-ric|mini]`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      event: { type: 'string', short: 'e' },
      'env-vars': { type: 'string' },
      template: { type: 'string', short: 't' },
      times: { type: 'string', short: 'n' },
      'no-freeze': { type: 'boolean' },
      client: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length > 1) {
    process.stderr.write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  const template = values.template ?? (fs.existsSync('template.yaml') || !fs.existsSync('template.yml') ? 'template.yaml' : 'template.yml');
  const times = values.times === undefined ? 1 : Number(values.times);
  if (!Number.isInteger(times) || times < 1) throw new Error(`-n must be a positive integer, got ${values.times}`);
  const client = values.client ?? 'auto';
  if (client !== 'auto' && client !== 'aws-lambda-ric' && client !== 'mini') throw new Error(`--client: auto, aws-lambda-ric or mini`);

  let event: unknown = {};
  if (values.event === '-') event = JSON.parse(fs.readFileSync(0, 'utf8'));
  else if (values.event) event = JSON.parse(fs.readFileSync(values.event, 'utf8'));

  const sandbox: Sandbox = await startSandbox({
    template,
    ...(positionals[0] ? { functionId: positionals[0] } : {}),
    ...(values['env-vars'] ? { envVarsFile: values['env-vars'] } : {}),
    client,
    freeze: !values['no-freeze'],
  });
  const stop = () => {
    void sandbox.shutdown().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let failed = false;
  try {
    for (let i = 0; i < times; i++) {
      const r = await sandbox.invoke(event);
      process.stderr.write(r.logs.replace(/\r(?!\n)/g, '\n'));
      process.stdout.write(JSON.stringify(r.error ?? r.result ?? null) + '\n');
      if (r.error) failed = true;
    }
  } finally {
    const { logs } = await sandbox.shutdown();
    if (logs) process.stderr.write(logs.replace(/\r(?!\n)/g, '\n'));
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
