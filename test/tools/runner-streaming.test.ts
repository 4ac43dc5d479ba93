import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../tools/runner/index.ts';
import { bundleFunction } from '../support/bundle.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/receiver.js';

let receiver: OtlpReceiver;
let fn: { dir: string; cleanup: () => void };
const sandboxes: Sandbox[] = [];
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  fn = await bundleFunction('test/fixtures/streaming/handler.ts', { extension: true });
}, 60_000);
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.shutdown()));
  await receiver.close();
  fn.cleanup();
});

describe('response streaming through the runner', () => {
  for (const client of ['auto', 'mini'] as const) {
    it(`${client} client: the runtime still streams, and the span covers the stream`, async () => {
      receiver.clear();
      const sb = await startSandbox({
        codeDir: fn.dir,
        handler: 'index.handler',
        functionName: 'streaming-fn',
        client,
        log: () => {},
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, NODE_OPTIONS: '--import /var/task/extension.mjs' },
      });
      sandboxes.push(sb);
      const r = await sb.invoke({ words: ['one ', 'two ', 'three'] });
      expect(r.error).toBeUndefined();
      expect(r.streamed?.prelude).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' } });
      expect(r.streamed?.body).toBe('one two three');
      // The first byte reached the client before the stream was over: it was streamed, not buffered.
      expect(r.streamed!.firstByteMs!).toBeLessThan(r.durationMs - 30);
      const [span] = receiver.spans.filter((s) => s.attributes['faas.invocation.id'] === r.requestId);
      expect(span!.attributes['llm.response.time_to_first_byte']).toBeGreaterThan(0);
      expect(span!.attributes['llm.response.bytes']).toBeGreaterThanOrEqual(13);
      expect(span!.durationMs).toBeGreaterThanOrEqual(55);
      // The status the handler announced in its HTTP prelude, read off the stream.
      expect(span!.attributes['http.response.status_code']).toBe(200);
      expect(span!.status.code).toBe('UNSET');
      const failed = await sb.invoke({ words: ['down'], status: 503 });
      expect(failed.streamed?.prelude).toMatchObject({ statusCode: 503 });
      const [failedSpan] = receiver.spans.filter((s) => s.attributes['faas.invocation.id'] === failed.requestId);
      expect(failedSpan!.attributes['http.response.status_code']).toBe(503);
      expect(failedSpan!.status.code).toBe('ERROR');
    });
  }
});
