/**
 * The Lambda Extensions API (2020-01-01) on top of the Runtime API emulator, for internal (in-process)
 * extensions, the only kind the runner starts: register during init only, INVOKE events only (Lambda refuses
 * SHUTDOWN to internal extensions), and each registered extension is a participant whose parked `next` call the
 * sandbox waits for before it freezes.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { RuntimeApi } from './runtime-api.ts';

const PREFIX = '/2020-01-01/extension';

interface Extension {
  id: string;
  name: string;
  events: string[];
  parked: http.ServerResponse | undefined;
  /** Events that arrived while the extension was busy, delivered on its next call. */
  pending: string[];
}

export interface ExtensionsInfo {
  functionName: string;
  functionVersion: string;
  handler: string;
}

function reply(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function attachExtensionsApi(api: RuntimeApi, info: () => ExtensionsInfo): { registered: () => string[] } {
  const extensions = new Map<string, Extension>();

  const park = (ext: Extension, res: http.ServerResponse) => {
    const participant = api.participants.get(ext.id);
    const event = ext.pending.shift();
    if (event !== undefined) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Lambda-Extension-Event-Identifier': randomUUID() });
      res.end(event);
      return;
    }
    ext.parked = res;
    if (participant) participant.waiting = true;
    res.on('close', () => {
      if (ext.parked === res) {
        ext.parked = undefined;
        if (participant) participant.waiting = false;
      }
    });
    api.participantWaiting();
  };

  api.addRoute('POST', new RegExp(`^${PREFIX}/register$`), (req, res, _m, body) => {
    const name = req.headers['lambda-extension-name'];
    if (typeof name !== 'string' || !name)
      return reply(res, 400, { errorType: 'Extension.InvalidRequest', errorMessage: 'Lambda-Extension-Name header is required' });
    if (api.runtimeReady) return reply(res, 403, { errorType: 'Extension.RegistrationClosed', errorMessage: 'extensions can register only during init' });
    let events: string[];
    try {
      const parsed = JSON.parse(body.toString('utf8') || '{}') as { events?: unknown };
      events = Array.isArray(parsed.events) ? parsed.events.filter((e): e is string => typeof e === 'string') : [];
    } catch {
      return reply(res, 400, { errorType: 'Extension.InvalidRequest', errorMessage: 'body is not JSON' });
    }
    if (events.includes('SHUTDOWN')) {
      return reply(res, 400, { errorType: 'Extension.InvalidEventType', errorMessage: 'internal extensions cannot register for SHUTDOWN' });
    }
    const id = randomUUID();
    extensions.set(id, { id, name, events, parked: undefined, pending: [] });
    api.participants.set(id, { kind: 'extension', name, waiting: false });
    reply(res, 200, info(), { 'Lambda-Extension-Identifier': id });
  });

  api.addRoute('GET', new RegExp(`^${PREFIX}/event/next$`), (req, res) => {
    const ext = extensions.get(String(req.headers['lambda-extension-identifier'] ?? ''));
    if (!ext) return reply(res, 403, { errorType: 'Extension.UnknownExtensionIdentifier', errorMessage: 'unknown Lambda-Extension-Identifier' });
    park(ext, res);
  });

  api.on('delivered', (d: { requestId: string; deadlineMs: number; functionArn: string; traceHeader: string }) => {
    for (const ext of extensions.values()) {
      if (!ext.events.includes('INVOKE')) continue;
      const event = JSON.stringify({
        eventType: 'INVOKE',
        deadlineMs: d.deadlineMs,
        requestId: d.requestId,
        invokedFunctionArn: d.functionArn,
        tracing: { type: 'X-Amzn-Trace-Id', value: d.traceHeader },
      });
      const res = ext.parked;
      const participant = api.participants.get(ext.id);
      if (res && !res.writableEnded) {
        ext.parked = undefined;
        if (participant) participant.waiting = false;
        res.writeHead(200, { 'Content-Type': 'application/json', 'Lambda-Extension-Event-Identifier': randomUUID() });
        res.end(event);
      } else {
        ext.pending.push(event);
      }
    }
  });

  api.on('reset', () => {
    for (const ext of extensions.values()) if (ext.parked && !ext.parked.writableEnded) ext.parked.destroy();
    extensions.clear();
  });

  return { registered: () => [...extensions.values()].map((e) => e.name) };
}
