import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import zlib from 'node:zlib';
import { OTLPExporterError, type ExportResponse } from '@opentelemetry/otlp-exporter-base';
import { afterEach, describe, expect, it } from 'vitest';
import { shutdownTracing, withLlmTracing } from '../../src/index.ts';
import { http1Client } from '../../src/extension/http/client.ts';
import { createHttpTransport, prewarmTransports, TransportError } from '../../src/telemetry/transport.ts';

/** One request as the raw server read it off the wire. */
interface Seen {
  head: string;
  body: Buffer;
  /** Which connection it came on (0 = the first accepted) and its place on that connection. */
  connection: number;
  index: number;
}

type Answer = (socket: net.Socket, seen: Seen) => void;

/** A TCP server speaking just enough HTTP/1.1 to read POSTs and answer each with whatever bytes `answer` writes. */
async function rawServer(answer: Answer) {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    const connection = connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const request = { head, body: pending.subarray(end + 4, end + 4 + length), connection, index: index++ };
        pending = pending.subarray(end + 4 + length);
        seen.push(request);
        answer(socket, request);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = () => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(close);
  return { url: `http://127.0.0.1:${port}/v1/traces`, seen, connections: () => connections, close };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function transportFor(url: string, extra: { headers?: Record<string, string>; compression?: 'gzip' | 'none' } = {}) {
  const t = createHttpTransport({
    url,
    headers: extra.headers ?? { 'Content-Type': 'application/x-protobuf' },
    compression: extra.compression ?? 'none',
    tls: {},
  });
  cleanups.push(() => t.shutdown());
  return t;
}

const BODY = new Uint8Array([1, 2, 3, 4]);
const ok = (body = '') => `HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const text = (r: ExportResponse) => (r.status === 'success' ? Buffer.from(r.data ?? []).toString() : undefined);

describe('the OTLP/HTTP sender over a socket', () => {
  it('posts the body with the configured headers, its own user agent and length, and the Host', async () => {
    const server = await rawServer((s) => s.write(ok('fine')));
    const r = await transportFor(server.url, { headers: { 'Content-Type': 'application/json', 'x-api-key': 'k1', 'bad\nname': 'x' } }).send(BODY, 1000);
    expect(text(r)).toBe('fine');
    const { head, body } = server.seen[0]!;
    expect(head.split('\r\n')[0]).toBe('POST /v1/traces HTTP/1.1');
    expect(head).toContain(`\r\nHost: ${new URL(server.url).host}\r\n`);
    expect(head).toContain('\r\nContent-Type: application/json\r\n');
    expect(head).toContain('\r\nx-api-key: k1\r\n');
    expect(head).toMatch(/\r\nUser-Agent: lambda-llm-tracing\/\S+/);
    expect(head).toContain('\r\nContent-Length: 4');
    expect(head).not.toContain('bad');
    expect([...body]).toEqual([...BODY]);
  });

  it('sends credentials in the URL as Basic auth, unless an Authorization header is configured; one header per name', async () => {
    const server = await rawServer((s) => s.write(ok()));
    const url = new URL(server.url);
    url.username = 'us%20er';
    url.password = 'p%3Ass';
    await transportFor(url.href).send(BODY, 1000);
    await transportFor(url.href, { headers: { authorization: 'Bearer t', HOST: 'collector.example', 'X-A': '1', 'x-a': '2' } }).send(BODY, 1000);
    const [first, second] = server.seen.map((x) => x.head);
    expect(first).toContain(`\r\nAuthorization: Basic ${Buffer.from('us er:p:ss').toString('base64')}\r\n`);
    expect(second).toContain('\r\nauthorization: Bearer t\r\n');
    expect(second).not.toContain('Basic');
    expect(second).toContain('\r\nHOST: collector.example\r\n');
    expect(second!.match(/\r\nhost:/gi)).toHaveLength(1);
    expect(second).toContain('\r\nx-a: 2\r\n');
    expect(second!.match(/\r\nx-a:/gi)).toHaveLength(1);
  });

  it('gzips the body when configured', async () => {
    const server = await rawServer((s) => s.write(ok()));
    expect((await transportFor(server.url, { compression: 'gzip' }).send(BODY, 1000)).status).toBe('success');
    expect(server.seen[0]!.head).toContain('\r\nContent-Encoding: gzip\r\n');
    expect([...zlib.gunzipSync(server.seen[0]!.body)]).toEqual([...BODY]);
  });

  it('reads a chunked answer, in pieces, with extensions and trailers', async () => {
    const server = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhel');
      setTimeout(() => s.write('lo\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n'), 20);
    });
    const t = transportFor(server.url);
    expect(text(await t.send(BODY, 1000))).toBe('hello world');
    // The connection was left at a clean boundary, so the next export reuses it.
    expect(text(await t.send(BODY, 1000))).toBe('hello world');
    expect(server.connections()).toBe(1);
  });

  it('skips an interim 100 Continue, and reads a body that runs to the close', async () => {
    const server = await rawServer((s) => {
      s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nuntil the end');
      s.end();
    });
    expect(text(await transportFor(server.url).send(BODY, 1000))).toBe('until the end');
  });

  it('keeps one connection alive across exports, and opens another when the server said close', async () => {
    let closing = false;
    const server = await rawServer((s) => s.write(closing ? 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n' : ok()));
    const t = transportFor(server.url);
    for (let i = 0; i < 3; i++) expect((await t.send(BODY, 1000)).status).toBe('success');
    expect(server.connections()).toBe(1);
    closing = true;
    await t.send(BODY, 1000);
    await t.send(BODY, 1000);
    expect(server.seen.map((x) => x.connection)).toEqual([0, 0, 0, 0, 1]);
  });

  it('sends again on a new connection when a reused one turns out closed by the server', async () => {
    // The server resets the connection on its second request, as a collector that timed the idle connection out.
    const server = await rawServer((s, seen) => (seen.index === 0 ? s.write(ok('first')) : s.resetAndDestroy()));
    const t = transportFor(server.url);
    expect(text(await t.send(BODY, 1000))).toBe('first');
    expect(text(await t.send(BODY, 1000))).toBe('first');
    expect(server.seen.map((x) => [x.connection, x.index])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it('drops an idle connection the server closed, and connects anew', async () => {
    const server = await rawServer((s) => {
      s.write(ok());
      setTimeout(() => s.end(), 10);
    });
    const t = transportFor(server.url);
    await t.send(BODY, 1000);
    await new Promise((r) => setTimeout(r, 60));
    expect((await t.send(BODY, 1000)).status).toBe('success');
    expect(server.seen.map((x) => x.connection)).toEqual([0, 1]);
  });

  it('calls 429/502/503/504 retryable with the Retry-After seconds or date, other statuses failures', async () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    const answers = [
      'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 4\r\n\r\nbusy',
      `HTTP/1.1 429 Too Many Requests\r\nretry-after: ${date}\r\nContent-Length: 0\r\n\r\n`,
      'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad',
    ];
    const server = await rawServer((s, seen) => s.write(answers[seen.index]!));
    const t = transportFor(server.url);
    const [busy, limited, gateway, bad] = [await t.send(BODY, 1000), await t.send(BODY, 1000), await t.send(BODY, 1000), await t.send(BODY, 1000)];
    expect(busy).toMatchObject({ status: 'retryable', retryInMillis: 2000 });
    expect(busy.status !== 'success' && busy.error).toBeInstanceOf(OTLPExporterError);
    expect(busy.status !== 'success' && busy.error).toMatchObject({ code: 503, message: 'Service Unavailable', data: 'busy' });
    expect(limited.status === 'retryable' && limited.retryInMillis).toBeGreaterThan(25_000);
    expect(gateway).toMatchObject({ status: 'retryable' });
    expect(gateway).not.toHaveProperty('retryInMillis');
    expect(bad).toMatchObject({ status: 'failure', error: { code: 400, data: 'bad' } });
    expect(server.connections()).toBe(1);
  });

  it('a reset mid-response is a failure, not sent again; a reset before any answer is retryable', async () => {
    const server = await rawServer((s, seen) => {
      if (seen.connection === 0) {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part');
        setTimeout(() => s.resetAndDestroy(), 20);
      } else s.resetAndDestroy();
    });
    const t = transportFor(server.url);
    const cut = await t.send(BODY, 1000);
    expect(cut).toMatchObject({ status: 'failure', error: { kind: 'aborted' } });
    const refusedAnswer = await t.send(BODY, 1000);
    expect(refusedAnswer).toMatchObject({ status: 'retryable', error: { kind: 'ECONNRESET' } });
    expect(server.seen).toHaveLength(2);
  });

  it('times out on a server that never answers, and refuses when nothing listens', async () => {
    const server = await rawServer(() => {});
    const hung = await transportFor(server.url).send(BODY, 100);
    expect(hung).toMatchObject({ status: 'retryable', error: { kind: 'timed out', message: 'timed out waiting for an answer' } });
    const port = new URL(server.url).port;
    await server.close();
    const refused = await transportFor(`http://127.0.0.1:${port}/v1/traces`).send(BODY, 1000);
    expect(refused).toMatchObject({ status: 'retryable', error: { kind: 'ECONNREFUSED', message: 'connection refused' } });
    expect(refused.status !== 'success' && refused.error).toBeInstanceOf(TransportError);
  });

  it('fails on an answer that is not HTTP or too large', async () => {
    const server = await rawServer((s, seen) =>
      s.write(
        seen.connection === 0 ? 'SSH-2.0-OpenSSH\r\n\r\n' : `HTTP/1.1 200 OK\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n${'x'.repeat(5 * 1024 * 1024)}`,
      ),
    );
    const t = transportFor(server.url);
    expect(await t.send(BODY, 1000)).toMatchObject({ status: 'failure', error: { kind: 'malformed response' } });
    expect(await t.send(BODY, 5000)).toMatchObject({ status: 'failure', error: { kind: 'response too large' } });
  });
});

describe('connecting ahead of the export', () => {
  it('opens the connection on the next turn of the event loop, and the export then uses it', async () => {
    const server = await rawServer((s) => s.write(ok()));
    const t = transportFor(server.url);
    prewarmTransports();
    await new Promise((r) => setTimeout(r, 50));
    expect(server.connections()).toBe(1);
    prewarmTransports();
    await new Promise((r) => setTimeout(r, 50));
    expect(server.connections()).toBe(1);
    expect((await t.send(BODY, 1000)).status).toBe('success');
    expect(server.seen.map((x) => x.connection)).toEqual([0]);
    expect(server.connections()).toBe(1);
  });

  it('stops warming up after a refused connection, until a connection succeeds again', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const live = await rawServer((sock) => sock.write(ok()));
    let port = closed;
    let attempts = 0;
    const client = http1Client(() => {
      attempts++;
      return net.connect(port, '127.0.0.1');
    }, 1024);
    cleanups.push(async () => client.close());
    const settle = () => new Promise((r) => setTimeout(r, 50));
    client.warm();
    await settle();
    expect(attempts).toBe(1);
    client.warm();
    client.warm();
    await settle();
    expect(attempts).toBe(1);
    // The export itself still tries; once it gets through, warming up resumes.
    port = Number(new URL(live.url).port);
    const head = `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY.byteLength}\r\n\r\n`;
    expect(await client.request(head, BODY, 1000)).toMatchObject({ response: { status: 200 } });
    expect(attempts).toBe(2);
    client.close();
    client.warm();
    await settle();
    expect(attempts).toBe(3);
  });

  it('connects while the handler waits for its own I/O, before the invocation ends', async () => {
    const server = await rawServer((s) => s.write(ok()));
    cleanups.push(() => shutdownTracing(500));
    const handler = withLlmTracing(
      async () => {
        // Resolves once the collector has a connection, which only the wrapper's warm-up can have opened by now.
        for (let i = 0; i < 100 && server.connections() === 0; i++) await new Promise((r) => setTimeout(r, 5));
        return { statusCode: 200, connected: server.connections() };
      },
      { endpoint: server.url, exportMode: 'before-response', shutdownOnSigterm: false },
    );
    const result = await handler({}, { awsRequestId: 'warm-1', functionName: 'f', getRemainingTimeInMillis: () => 10_000 } as never);
    expect(result).toEqual({ statusCode: 200, connected: 1 });
    expect(server.seen.map((x) => x.connection)).toEqual([0]);
  });
});

describe('connecting ahead, unsampled', () => {
  it('an invocation that will not be exported (its caller sampled it out) opens no connection', async () => {
    const server = await rawServer((s) => s.write(ok()));
    cleanups.push(() => shutdownTracing(500));
    const handler = withLlmTracing(
      async () => {
        await new Promise((r) => setTimeout(r, 50));
        return { statusCode: 200, connected: server.connections() };
      },
      { endpoint: server.url, exportMode: 'before-response', shutdownOnSigterm: false },
    );
    const unsampled = {
      version: '2.0',
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
      requestContext: { http: { method: 'GET', path: '/' } },
    };
    const context = { awsRequestId: 'warm-2', functionName: 'f', getRemainingTimeInMillis: () => 10_000 } as never;
    expect(await handler(unsampled, context)).toEqual({ statusCode: 200, connected: 0 });
    expect(server.seen).toEqual([]);
  });
});

describe('the OTLP/HTTP sender over TLS', () => {
  const dir = new URL('../fixtures/tls/', import.meta.url);
  const cert = fs.readFileSync(new URL('cert.pem', dir));
  const key = fs.readFileSync(new URL('key.pem', dir));

  async function httpsServer(options: https.ServerOptions = {}) {
    const seen: { servername: string | false | null; authorized: boolean; socket: unknown }[] = [];
    const server = https.createServer({ key, cert, ...options }, (req, res) => {
      const socket = req.socket as import('node:tls').TLSSocket;
      seen.push({ servername: socket.servername, authorized: socket.authorized, socket });
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end('secure'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { port: (server.address() as net.AddressInfo).port, seen };
  }

  const secureTransport = (url: string, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer }) => {
    const t = createHttpTransport({ url, headers: { 'Content-Type': 'application/x-protobuf' }, compression: 'none', tls });
    cleanups.push(() => t.shutdown());
    return t;
  };

  it('verifies the server against the configured root, names it by SNI, and reuses the connection', async () => {
    const server = await httpsServer();
    const t = secureTransport(`https://localhost:${server.port}/v1/traces`, { ca: cert });
    expect(text(await t.send(BODY, 2000))).toBe('secure');
    expect(text(await t.send(BODY, 2000))).toBe('secure');
    expect(server.seen.map((s) => s.servername)).toEqual(['localhost', 'localhost']);
    expect(server.seen[1]!.socket).toBe(server.seen[0]!.socket);
  });

  it('presents the client certificate, and checks an IP address against the certificate without SNI', async () => {
    const server = await httpsServer({ requestCert: true, rejectUnauthorized: true, ca: cert });
    const t = secureTransport(`https://127.0.0.1:${server.port}/v1/traces`, { ca: cert, cert, key });
    expect(text(await t.send(BODY, 2000))).toBe('secure');
    expect(server.seen[0]).toMatchObject({ servername: false, authorized: true });
  });

  it('fails on a server the default roots do not trust', async () => {
    const server = await httpsServer();
    const r = await secureTransport(`https://127.0.0.1:${server.port}/v1/traces`, {}).send(BODY, 2000);
    expect(r).toMatchObject({ status: 'failure', error: { kind: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    expect(server.seen).toEqual([]);
  });
});
