/**
 * `npm run traces`: a local OTLP/HTTP receiver (JSON and protobuf) on 127.0.0.1:4318 that prints each trace as an
 * indented tree once it has been quiet for a moment (a trace that grows later is printed again, whole), and with
 * `--html file` keeps an HTML waterfall of every trace received up to date. Point your functions at it with
 * OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (from a `sam local` container: http://host.docker.internal:4318,
 * with `--host 0.0.0.0`).
 *
 *   npm run traces -- [--port 4318] [--host 127.0.0.1] [--html build/traces.html] [--quiet-ms 750]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCli, runMain, usageError } from './cli.ts';
import { startOtlpReceiver } from './otlp/index.ts';
import type { ReceivedSpan } from './otlp/index.ts';
import { renderHtml, renderText } from './trace-view.ts';

/** Traces kept in memory (oldest forgotten first). */
const MAX_TRACES = 500;

export interface TracePrinter {
  add(batch: readonly ReceivedSpan[]): void;
  /** Prints whatever is still waiting. */
  flush(): void;
  traces: Map<string, ReceivedSpan[]>;
}

/** Groups incoming spans by trace and hands each trace to `print` once no span of it arrived for `quietMs`. */
export function tracePrinter(print: (spans: ReceivedSpan[]) => void, quietMs: number): TracePrinter {
  const traces = new Map<string, ReceivedSpan[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  const emit = (traceId: string) => {
    timers.delete(traceId);
    const spans = traces.get(traceId);
    if (spans) print(spans);
  };
  return {
    traces,
    add(batch) {
      for (const s of batch) {
        const list = traces.get(s.traceId) ?? [];
        if (list.length === 0) {
          traces.set(s.traceId, list);
          if (traces.size > MAX_TRACES) {
            const oldest = traces.keys().next().value!;
            traces.delete(oldest);
            clearTimeout(timers.get(oldest));
            timers.delete(oldest);
          }
        }
        list.push(s);
        clearTimeout(timers.get(s.traceId));
        timers.set(s.traceId, setTimeout(() => emit(s.traceId), quietMs));
      }
    },
    flush() {
      for (const [traceId, t] of [...timers]) {
        clearTimeout(t);
        emit(traceId);
      }
    },
  };
}

const USAGE = `usage: npm run traces -- [--port 4318] [--host 127.0.0.1] [--html build/traces.html] [--quiet-ms 750]
  A local OTLP/HTTP collector (JSON and protobuf): prints each trace as a tree once it has been quiet for a moment.
  --port N        port to listen on (default 4318, or OTLP_RECEIVER_PORT)
  --host H        address to listen on (default 127.0.0.1; 0.0.0.0 for sam local containers)
  --html FILE     keep an HTML waterfall of every trace received in FILE
  --quiet-ms MS   how long a trace must be quiet before it is printed (default 750)`;

async function main(): Promise<number> {
  const { values } = parseCli('npm run traces', USAGE, {
    port: { type: 'string', default: process.env.OTLP_RECEIVER_PORT ?? '4318' },
    host: { type: 'string', default: '127.0.0.1' },
    html: { type: 'string' },
    'quiet-ms': { type: 'string', default: '750' },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usageError('npm run traces', USAGE, `--port: not a port number: ${values.port}`);
  const quietMs = Number(values['quiet-ms']);
  if (!Number.isFinite(quietMs) || quietMs < 0) usageError('npm run traces', USAGE, `--quiet-ms: not a duration in ms: ${values['quiet-ms']}`);
  const receiver = await startOtlpReceiver({ port, host: values.host! });
  const htmlFile = values.html ? path.resolve(values.html) : undefined;
  const printer = tracePrinter((spans) => {
    process.stdout.write(renderText(spans) + '\n');
    if (htmlFile) {
      fs.mkdirSync(path.dirname(htmlFile), { recursive: true });
      fs.writeFileSync(htmlFile, renderHtml([...printer.traces.values()].flat()));
    }
  }, quietMs);
  receiver.onSpans = (batch) => printer.add(batch);
  process.stdout.write(`traces: OTLP/HTTP receiver listening; point functions at OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.url}\n`);
  if (htmlFile) process.stdout.write(`traces: HTML waterfall kept in ${htmlFile}\n`);
  process.stdout.write('\n');
  const stop = () => {
    printer.flush();
    void receiver.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => {}); // runs until interrupted
}

if (import.meta.main) runMain('npm run traces', main);
