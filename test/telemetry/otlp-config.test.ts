import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExporter } from '../../src/telemetry/exporter.ts';
import { tracesExportConfig } from '../../src/telemetry/otlp-config.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.ts';

const VARS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_TIMEOUT',
  'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
  'OTEL_EXPORTER_OTLP_COMPRESSION',
  'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
afterEach(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});
const REQUIRED = { 'Content-Type': 'application/x-protobuf' };

describe('exporter settings (as the OTel exporter base reads them)', () => {
  it('defaults to localhost:4318, 10 s, no compression', () => {
    for (const v of VARS) delete process.env[v];
    const c = tracesExportConfig({}, REQUIRED);
    expect(c).toMatchObject({ url: 'http://localhost:4318/v1/traces', timeoutMillis: 10_000, compression: 'none', concurrencyLimit: 30, headers: REQUIRED });
  });

  it('appends the signal path to the general endpoint, takes the signal endpoint as given, and lets options win', () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://collector:4318';
    expect(tracesExportConfig({}, REQUIRED).url).toBe('http://collector:4318/v1/traces');
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = 'http://other:9999/custom';
    expect(tracesExportConfig({}, REQUIRED).url).toBe('http://other:9999/custom');
    expect(tracesExportConfig({ endpoint: 'http://mine:1/x' }, REQUIRED).url).toBe('http://mine:1/x');
  });

  it('merges headers: signal over general, options over both, the content type over all', () => {
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'a=1,b=2,Content-Type=text/plain';
    process.env.OTEL_EXPORTER_OTLP_TRACES_HEADERS = 'b=3';
    expect(tracesExportConfig({ headers: { c: '4' } }, REQUIRED).headers).toEqual({ a: '1', b: '3', c: '4', ...REQUIRED });
  });

  it('reads timeout and compression, the signal variable first, ignoring invalid values', () => {
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '2000';
    process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = 'soon';
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
    process.env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION = 'brotli';
    expect(tracesExportConfig({}, REQUIRED)).toMatchObject({ timeoutMillis: 2000, compression: 'gzip' });
    expect(tracesExportConfig({ exportTimeoutMs: 500 }, REQUIRED).timeoutMillis).toBe(500);
  });
});

describe('the transport on the wire', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('gzips when asked, and the collector decodes the spans', async () => {
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: createExporter({ endpoint: receiver.tracesUrl }) })] });
    provider.getTracer('t').startSpan('zipped').end();
    await provider.forceFlush();
    await provider.shutdown();
    expect(receiver.requests.at(-1)?.contentEncoding).toBe('gzip');
    expect(receiver.spans.map((s) => s.name)).toContain('zipped');
  });
});
