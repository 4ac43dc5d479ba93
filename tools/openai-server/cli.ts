/** `npm run openai-server -- [--port 8080]`: the local OpenAI-compatible model on its own (Ctrl-C stops it). */
import { parseCli, runMain, usageError } from '../cli.ts';
import { startOpenAIServer } from './index.ts';

const COMMAND = 'npm run openai-server';
const USAGE = `usage: npm run openai-server -- [--port 8080] [--chunk-delay-ms 2]
  A local OpenAI-compatible server on 127.0.0.1 (chat completions, responses, embeddings; deterministic answers).
  --port N            port to listen on (default 8080, or OPENAI_SERVER_PORT; events/env.json points there)
  --chunk-delay-ms N  spacing between streamed chunks (default 2)`;

async function main(): Promise<number> {
  const { values, positionals } = parseCli(
    COMMAND,
    USAGE,
    { port: { type: 'string' }, 'chunk-delay-ms': { type: 'string' } },
    true,
  );
  if (positionals.length > 1) usageError(COMMAND, USAGE, `unexpected arguments: ${positionals.join(' ')}`);
  const raw = values.port ?? positionals[0] ?? process.env['OPENAI_SERVER_PORT'] ?? '8080';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(COMMAND, USAGE, `--port: not a port number: ${raw}`);
  const delay = Number(values['chunk-delay-ms'] ?? 2);
  if (!Number.isFinite(delay) || delay < 0) usageError(COMMAND, USAGE, `--chunk-delay-ms: not a duration in ms: ${values['chunk-delay-ms']}`);
  const server = await startOpenAIServer({ port, chunkDelayMs: delay });
  process.stdout.write(`openai-server listening: OPENAI_BASE_URL=${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => {}); // runs until interrupted
}

runMain(COMMAND, main);
