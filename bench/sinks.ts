/**
 * Where the peers that do not speak OTLP send their data, on 127.0.0.1: a UDP listener standing in for the X-Ray
 * daemon (Powertools Tracer) and an HTTP endpoint standing in for a Sentry DSN. Each counts the spans it received
 * per bench run key, as the OTLP receiver does by service.name.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface XrayDaemon {
  /** `host:port` for AWS_XRAY_DAEMON_ADDRESS; one socket per key, so segments are attributed without parsing ids. */
  addressFor(key: string): Promise<string>;
  spans(key: string): number;
  clear(): void;
  close(): Promise<void>;
}

/** Segments and subsegments in one X-Ray document, nested subsegments included. */
function countSegments(doc: { subsegments?: unknown[] }): number {
  return 1 + (doc.subsegments ?? []).reduce<number>((n, s) => n + countSegments(s as { subsegments?: unknown[] }), 0);
}

export function startXrayDaemon(): XrayDaemon {
  const sockets = new Map<string, { socket: dgram.Socket; address: string; spans: number }>();
  return {
    async addressFor(key) {
      const known = sockets.get(key);
      if (known) return known.address;
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const entry = { socket, address: `127.0.0.1:${(socket.address() as AddressInfo).port}`, spans: 0 };
      // Each datagram: a `{"format":"json","version":1}` header line, then one segment document.
      socket.on('message', (msg) => {
        const body = msg.toString('utf8');
        try {
          entry.spans += countSegments(JSON.parse(body.slice(body.indexOf('\n') + 1)) as { subsegments?: unknown[] });
        } catch {
          // Not a segment document: nothing to count.
        }
      });
      sockets.set(key, entry);
      return entry.address;
    },
    spans: (key) => sockets.get(key)?.spans ?? 0,
    clear: () => {
      for (const s of sockets.values()) s.spans = 0;
    },
    close: async () => {
      await Promise.all([...sockets.values()].map((s) => new Promise<void>((resolve) => s.socket.close(() => resolve()))));
    },
  };
}

export interface SentryEndpoint {
  /** A DSN whose project id names the key (envelopes arrive at /api/<id>/envelope/). */
  dsnFor(key: string): string;
  spans(key: string): number;
  /** While hanging, envelopes are read and never answered, like a collector that accepts and stalls. */
  setHang(on: boolean): void;
  clear(): void;
  close(): Promise<void>;
}

/** Spans in one envelope: a transaction item is its root span plus its `spans`; standalone span items count one. */
function countEnvelopeSpans(body: string): number {
  const lines = body.split('\n');
  let spans = 0;
  for (let i = 1; i + 1 < lines.length; i += 2) {
    try {
      const header = JSON.parse(lines[i]!) as { type?: string };
      const item = JSON.parse(lines[i + 1]!) as { spans?: unknown[]; items?: unknown[] };
      if (header.type === 'transaction') spans += 1 + (item.spans?.length ?? 0);
      else if (header.type === 'span') spans += 1;
      else if (header.type === 'span_v2' || header.type === 'spans') spans += item.items?.length ?? 1;
    } catch {
      // An item we do not read (attachments, binary payloads).
    }
  }
  return spans;
}

export async function startSentryEndpoint(): Promise<SentryEndpoint> {
  const ids = new Map<string, number>();
  const counts = new Map<number, number>();
  let hang = false;
  const hung = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString('utf8');
      if (hang) {
        hung.add(res);
        return;
      }
      const id = Number(/^\/api\/(\d+)\//.exec(req.url ?? '')?.[1]);
      counts.set(id, (counts.get(id) ?? 0) + countEnvelopeSpans(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const idOf = (key: string) => ids.get(key) ?? ids.set(key, ids.size + 1).get(key)!;
  return {
    dsnFor: (key) => `http://benchpublickey@127.0.0.1:${port}/${idOf(key)}`,
    spans: (key) => counts.get(idOf(key)) ?? 0,
    setHang(on) {
      hang = on;
      if (!on) for (const res of hung) res.writeHead(200).end('{}');
      if (!on) hung.clear();
    },
    clear: () => counts.clear(),
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
