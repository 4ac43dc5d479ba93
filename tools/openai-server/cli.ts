// `node tools/openai-server/cli.ts [port]` runs it standalone (prints the base URL; Ctrl-C stops it).
import { startOpenAIServer } from './index.ts';

const port = Number(process.argv[2] ?? process.env['OPENAI_SERVER_PORT'] ?? 0);
const server = await startOpenAIServer({ port: Number.isFinite(port) ? port : 0 });
process.stdout.write(`${server.url}\n`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
