/**
 * `sam local invoke` without Docker:
 *   npm run invoke -- <FunctionLogicalId> -e events/x.json [--env-vars env.json]
 *     [--template template.yaml] [-n 3] [--no-freeze] [--client auto|aws-lambda-ric|mini]
 * Prints each invocation's result (or error) JSON on stdout, one per line; the
 * function's logs with START/END/REPORT lines go to stderr. Exit status 1 when
 * an invocation failed or timed out, 2 for bad arguments. When the function's
 * environment names an OTLP endpoint that does not take an export, says so on
 * stderr with the cause.
 */
import fs from 'node:fs';
import { parseCli, readJsonFile, runMain, usageError } from '../cli.ts';
import { probeOtlp, tracesUrlFromEnv } from '../otlp/probe.ts';
import { loadFunctionConfig, startSandbox } from './index.ts';
import type { Sandbox } from './index.ts';

const COMMAND = 'npm run invoke';
const USAGE = `usage: npm run invoke -- [FunctionLogicalId] [-e event.json|-] [--env-vars env.json]
       [-t template.yaml] [-n N] [--no-freeze] [--client auto|aws-lambda-ric|mini]
  Runs a function of template.yaml as sam local invoke does, without Docker: results on stdout, logs on stderr.`;

const { values, positionals } = parseCli(
  COMMAND,
  USAGE,
  {
    event: { type: 'string', short: 'e' },
    'env-vars': { type: 'string' },
    template: { type: 'string', short: 't' },
    times: { type: 'string', short: 'n' },
    'no-freeze': { type: 'boolean' },
    client: { type: 'string' },
  },
  true,
);

async function main(): Promise<number> {
  if (positionals.length > 1) usageError(COMMAND, USAGE, `one function at a time (got ${positionals.join(', ')})`);
  const template = values.template ?? (fs.existsSync('template.yaml') || !fs.existsSync('template.yml') ? 'template.yaml' : 'template.yml');
  const times = values.times === undefined ? 1 : Number(values.times);
  if (!Number.isInteger(times) || times < 1) usageError(COMMAND, USAGE, `-n must be a positive integer, got ${values.times}`);
  const client = values.client ?? 'auto';
  if (client !== 'auto' && client !== 'aws-lambda-ric' && client !== 'mini') usageError(COMMAND, USAGE, `--client: auto, aws-lambda-ric or mini`);
  const event: unknown = values.event ? await readJsonFile(values.event) : {};
  const target = {
    template,
    ...(positionals[0] ? { functionId: positionals[0] } : {}),
    ...(values['env-vars'] ? { envVarsFile: values['env-vars'] } : {}),
  };
  const sandbox: Sandbox = await startSandbox({ ...target, client, freeze: !values['no-freeze'] });
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
  await checkDelivery(loadFunctionConfig(target).environment);
  return failed ? 1 : 0;
}

/** The spans went where the function's environment sends them, or a line says why they could not. */
async function checkDelivery(env: Record<string, string>): Promise<void> {
  if (!env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() && !env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim()) return;
  const probe = await probeOtlp(tracesUrlFromEnv(env));
  if (!probe.ok) process.stderr.write(`[lambda-runner] ✗ spans cannot be delivered to ${probe.url}: ${probe.cause}\n`);
}

// Errors before or around the invocations (files, template, arguments) exit 2, as they always have here.
runMain(COMMAND, main, async () => {}, 2);
