// The HTML trace view as a person opens it, in headless Chromium at a narrow (600 px) and a wide width: the
// waterfall keeps its bars, nothing overlaps, each trace names its service, start time and a time axis, a legend
// explains the colours, streams mark the time to first token, errors show their message on the row, and the
// wait between a producer and its consumer is drawn as queue wait. Real traces: withLlmTracing + traceOpenAI
// against the local model, and a message sent through the SQS emulator with the real SQS client.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SpanKind } from '@opentelemetry/api';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceRecord, traceStep, withLlmTracing, withSqsTraceContext } from '../../src/index.js';
import { startSqsEmulator, type SqsEmulator, type SqsEvent } from '../../tools/sqs-emulator/index.ts';
import { renderHtml } from '../../tools/trace-view.ts';
import { lambdaContext } from '../support/lambda.ts';
import { MAJORS, MESSAGES, invoke, setup, teardown, traced, type Env } from '../support/openai.ts';
import type { ReceivedSpan } from '../support/receiver.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const SHOTS = process.env.TRACE_PAGE_SCREENSHOTS; // a folder: screenshots to look at

let env: Env | undefined;
let sqs: SqsEmulator | undefined;
const spans: ReceivedSpan[] = [];

beforeAll(async () => {
  env = await setup();
  sqs = await startSqsEmulator({ queues: ['jobs'] });
  const client = traced(MAJORS.find((m) => m.version === 7)!, env);
  const stream = await invoke(env, async () => {
    for await (const _ of await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })) {
      /* consume */
    }
  });
  env.server.script({ kind: 'status', status: 400, message: 'The prompt is too long for this model.' });
  const failed = await invoke(env, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }));
  expect(failed.error).toBeDefined();
  spans.push(...stream.spans, ...failed.spans, ...(await queueTrace(env, sqs, client)));
}, 30_000);

afterAll(async () => {
  await teardown(env);
  await sqs?.close();
});

/** A producer sends a message through the emulator; a while later a worker takes it and embeds its body. */
async function queueTrace(e: Env, q: SqsEmulator, client: ReturnType<typeof traced>): Promise<ReceivedSpan[]> {
  const sender = new SQSClient({ endpoint: q.url, region: q.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const produced = await invoke(e, () =>
    traceStep('send jobs', () => sender.send(new SendMessageCommand(withSqsTraceContext({ QueueUrl: q.queueUrl('jobs'), MessageBody: 'a job' }))), {
      kind: SpanKind.PRODUCER,
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 40)); // the message waits in the queue
  const event = q.receiveEvent('jobs', 1)!;
  const worker = withLlmTracing(async (ev: SqsEvent) => {
    for (const record of ev.Records) await traceRecord(record, () => client.embeddings.create({ model: 'text-embedding-3-small', input: record.body }));
  });
  e.receiver.clear();
  await worker(event, lambdaContext({ functionName: 'worker-fn' }));
  return [...produced.spans, ...e.receiver.spans];
}

const box = async (l: Locator) => (await l.boundingBox())!;

if (!haveChromium) {
  it('the trace page test needs Chromium, which is not installed here', () => {
    if (process.env.CI) expect.fail(`${CHROMIUM} not found: CI must run the trace page test (apt-get install chromium)`);
    console.warn(`notice: ${CHROMIUM} not found; the trace page was not rendered in a browser (apt-get install chromium)`);
  });
} else {
  describe('the trace page in headless Chromium', () => {
    let browser: Browser;
    let file: string;
    let dir: string;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-page-'));
      file = path.join(dir, 'traces.html');
      fs.writeFileSync(file, renderHtml(spans));
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: 30_000 });
    }, 40_000);

    afterAll(async () => {
      await browser?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const width of [600, 1280]) {
      it(`at ${width} px: every bar visible in its track, nothing overlapping`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        await page.goto(pathToFileURL(file).href);
        if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `trace-page-${width}.png`), fullPage: true });
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width); // no sideways scroll
        const rows = page.locator('details.span');
        expect(await rows.count()).toBe(spans.length);
        let previousBottom = -Infinity;
        for (let i = 0; i < spans.length; i++) {
          const row = rows.nth(i); // in page order, so each row must sit below the one before
          const id = await row.getAttribute('data-span-id');
          const s = spans.find((x) => x.spanId === id)!;
          const [name, track, bar, dur, summary] = await Promise.all(['.name', '.track', '.bar', '.dur', 'summary'].map((c) => box(row.locator(c))));
          expect(track!.width, s.name).toBeGreaterThan(150);
          expect(bar!.width, s.name).toBeGreaterThan(0);
          expect(bar!.x, s.name).toBeGreaterThanOrEqual(track!.x - 0.5);
          expect(bar!.x + bar!.width, s.name).toBeLessThanOrEqual(track!.x + track!.width + 0.5);
          expect(name!.x + name!.width, s.name).toBeLessThanOrEqual(track!.x);
          expect(track!.x + track!.width, s.name).toBeLessThanOrEqual(dur!.x);
          const facts = row.locator('.facts');
          if ((await facts.innerText()).trim()) {
            const f = await box(facts);
            const beside = f.x >= dur!.x + dur!.width; // wide: its own column
            const below = f.y >= track!.y + track!.height; // narrow: a line under the track
            expect(beside || below, `${s.name} facts at ${width}px`).toBe(true);
          }
          expect(summary!.y, s.name).toBeGreaterThanOrEqual(previousBottom - 0.5);
          previousBottom = summary!.y + summary!.height;
        }
        await page.close();
      }, 30_000);
    }

    it('names each trace (service, start time), draws a time axis, and explains the colours', async () => {
      const page = await browser.newPage({ viewport: { width: 600, height: 900 } });
      await page.goto(pathToFileURL(file).href);
      const legend = await page.locator('.legend').innerText();
      for (const key of ['server', 'client', 'internal', 'producer', 'consumer', 'error', 'time to first token', 'queue wait']) expect(legend).toContain(key);
      const sections = page.locator('section');
      expect(await sections.count()).toBe(new Set(spans.map((s) => s.traceId)).size);
      for (let i = 0; i < (await sections.count()); i++) {
        const section = sections.nth(i);
        const id = (await section.getAttribute('data-trace-id'))!;
        const services = new Set(spans.filter((s) => s.traceId === id).map((s) => String(s.resource['service.name'])));
        const header = await section.locator('h2').innerText();
        for (const service of services) expect(header).toContain(service);
        expect(header).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC/);
        const axis = await box(section.locator('.axis'));
        const ticks = section.locator('.tick');
        expect(await ticks.count()).toBeGreaterThanOrEqual(2);
        expect(await ticks.first().innerText()).toBe('0');
        expect(await ticks.nth(1).innerText()).toMatch(/^[\d.]+ ms$/);
        for (let t = 0; t < (await ticks.count()); t++) {
          const label = await box(ticks.nth(t).locator('i'));
          expect(label.x).toBeGreaterThanOrEqual(axis.x - 0.5);
          expect(label.x + label.width).toBeLessThanOrEqual(axis.x + axis.width + 0.5);
        }
      }
      await page.close();
    });

    it('marks time to first token on the stream, the error message on its row, and the queue wait', async () => {
      const page = await browser.newPage({ viewport: { width: 600, height: 900 } });
      await page.goto(pathToFileURL(file).href);
      const streamSpan = spans.find((s) => typeof s.attributes['gen_ai.response.time_to_first_chunk'] === 'number')!;
      const streamRow = page.locator(`details.span[data-span-id="${streamSpan.spanId}"]`);
      const mark = streamRow.locator('.ttft');
      expect(await mark.isVisible()).toBe(true);
      expect(await mark.getAttribute('title')).toMatch(/^time to first token \d+ ms$/);
      const [m, bar] = [await box(mark), await box(streamRow.locator('.bar'))];
      expect(m.x + m.width / 2).toBeGreaterThanOrEqual(bar.x - 0.5);
      expect(m.x + m.width / 2).toBeLessThanOrEqual(bar.x + bar.width + 0.5);
      expect(await page.locator('.ttft').count()).toBe(spans.filter((s) => s.attributes['gen_ai.response.time_to_first_chunk'] !== undefined).length);

      const failed = spans.find((s) => s.name === 'chat gpt-4o-mini' && s.status.code === 'ERROR')!;
      const err = page.locator(`details.span[data-span-id="${failed.spanId}"] summary .err`);
      expect(await err.isVisible()).toBe(true); // on the row, without opening it
      expect(await err.innerText()).toContain('The prompt is too long for this model.');

      const producer = spans.find((s) => s.kind === 'PRODUCER')!;
      const consumer = spans.find((s) => s.kind === 'CONSUMER' && s.parentSpanId === producer.spanId)!;
      const consumerRow = page.locator(`details.span[data-span-id="${consumer.spanId}"]`);
      const wait = consumerRow.locator('.wait');
      expect(await wait.isVisible()).toBe(true);
      const [w, cbar] = [await box(wait), await box(consumerRow.locator('.bar'))];
      expect(w.width).toBeGreaterThan(1);
      expect(w.x + w.width).toBeLessThanOrEqual(cbar.x + 1); // ends where the consumer starts
      const waitMs = Number(consumer.startTimeUnixNano - producer.endTimeUnixNano) / 1e6;
      expect(await consumerRow.locator('.facts').innerText()).toContain(`queue wait ${waitMs.toFixed(1)} ms`);
      expect(await page.locator('.wait').count()).toBe(1); // the nested record span under the consumer shows none
      await page.close();
    });
  });
}
