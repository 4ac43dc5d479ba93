/**
 * `lambda-llm-tracing/extension`: an in-process Lambda extension, loaded before the runtime with
 * `NODE_OPTIONS=--import /var/task/extension.mjs`. It registers for INVOKE events (internal extensions may not
 * take SHUTDOWN) and holds each of its "next event" calls until the invocation's spans are exported: Lambda keeps
 * the sandbox running until every extension asks for its next event, so the caller already has the response
 * while the export runs. Plain `node:http`, no SDK: it is loaded on every cold start. `node:http` comes from
 * `process.getBuiltinModule`, not an ESM import, whose facade evaluates undici on Node 22+ (some 30 ms).
 */
import { channel, exportSettled } from './channel.js';

const API = process.env.AWS_LAMBDA_RUNTIME_API;
const NAME = 'lambda-llm-tracing';

function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const [host, port] = (API ?? '').split(':');
    const { request } = process.getBuiltinModule('node:http');
    const req = request({ host, port: Number(port) || 80, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function register(): Promise<string | undefined> {
  const res = await call(
    'POST',
    '/2020-01-01/extension/register',
    { 'Lambda-Extension-Name': NAME, 'Content-Type': 'application/json' },
    JSON.stringify({ events: ['INVOKE'] }),
  );
  const id = res.headers['lambda-extension-identifier'];
  return res.status === 200 && typeof id === 'string' ? id : undefined;
}

async function loop(id: string): Promise<void> {
  for (;;) {
    const res = await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id });
    if (res.status !== 200) throw new Error(`extension next answered ${res.status}`);
    const event = JSON.parse(res.body) as { eventType?: string; requestId?: string; deadlineMs?: number };
    if (event.eventType === 'INVOKE' && event.requestId) await exportSettled(event.requestId, event.deadlineMs ?? Date.now());
  }
}

// Outside Lambda, under `sam local` (which removes the container right after the response), or when disabled,
// the wrapper flushes before returning instead, and nothing is registered.
const mode = process.env.LLM_TRACING_EXPORT_MODE?.trim().toLowerCase();
if (API && process.env.AWS_SAM_LOCAL !== 'true' && mode !== 'before-response' && process.env.OTEL_SDK_DISABLED?.toLowerCase() !== 'true') {
  try {
    // Registration must be complete before the runtime's first "next": this module's top-level await runs
    // before the runtime's own entry point is evaluated.
    const id = await register();
    if (id) {
      channel().registered = true;
      loop(id).catch((error: unknown) => {
        // Without the loop the wrapper must not count on it: later invocations flush before returning.
        channel().registered = false;
        console.error('lambda-llm-tracing: extension stopped:', error);
      });
    }
  } catch (error) {
    console.error('lambda-llm-tracing: extension registration failed; exporting before each response instead:', error);
  }
}
