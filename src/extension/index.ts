/**
 * `lambda-llm-tracing/extension`: an in-process Lambda extension, loaded before the runtime with
 * `NODE_OPTIONS=--import /var/task/extension.mjs`. It registers for INVOKE events (internal extensions may not
 * take SHUTDOWN) and holds each of its "next event" calls until the invocation's spans are exported: Lambda keeps
 * the sandbox running until every extension asks for its next event, so the caller already has the response
 * while the export runs. No SDK, and not `node:http` either: it is loaded on every cold start, and its first
 * request through `node:http` costs init some 10 ms (the runtime client's own calls go through a native addon),
 * through our HTTP/1.1 client over `node:net` (from `process.getBuiltinModule`) about half that.
 */
import { http1Client } from './http/client.js';
import { channel, exportSettled } from './channel.js';

const API = process.env.AWS_LAMBDA_RUNTIME_API;
const NAME = 'lambda-llm-tracing';
/** Events and registration answers are small JSON documents. */
const MAX_BODY_BYTES = 1024 * 1024;

const client = http1Client(() => {
  const [host, port] = (API ?? '').split(':');
  return process.getBuiltinModule('node:net').connect({ host, port: Number(port) || 80, noDelay: true });
}, MAX_BODY_BYTES);

/** One call to the Extensions API, answered however long it takes (`next` waits for the next invocation). */
async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const lines = Object.entries({ Host: API, ...headers, 'Content-Length': Buffer.byteLength(body) }).map(([k, v]) => `${k}: ${v}\r\n`);
  const r = await client.request(`${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n`, Buffer.from(body));
  if ('response' in r) return { status: r.response.status, headers: r.response.headers, body: r.response.body.toString() };
  throw 'error' in r ? r.error : new Error('timed out');
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
