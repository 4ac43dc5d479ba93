// tools/trace-view.ts: the HTML waterfall renders in headless Chromium (Debian's `chromium`) without console
// errors, self-contained, and shows every span of real traces (made by withLlmTracing + traceOpenAI against the
// local model and receiver); the text tree shows them too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceStep } from '../../src/index.js';
import { groupTraces, renderHtml, renderText } from '../../tools/trace-view.ts';
import { MAJORS, MESSAGES, invoke, setup, teardown, traced, type Env } from '../support/openai.ts';
import type { ReceivedSpan } from '../support/receiver.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const NASTY = `<script>alert("x")</script> & 'quoted' step`;

let env: Env | undefined;
const spans: ReceivedSpan[] = [];

beforeAll(async () => {
  env = await setup();
  const client = traced(MAJORS.find((m) => m.version === 7)!, env);
  const runs = [
    await invoke(env, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES })),
    await invoke(env, async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true });
      for await (const _ of stream) {
        /* consume */
      }
    }),
    await (async () => {
      env!.server.script({ kind: 'status', status: 500 });
      return invoke(env!, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }));
    })(),
    await invoke(env, () => traceStep(NASTY, async () => client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }))),
  ];
  expect(runs[2]!.error).toBeDefined();
  for (const r of runs) spans.push(...r.spans);
});

afterAll(async () => {
  await teardown(env);
});

describe('renderText', () => {
  it('shows every span, children indented under their parent, with tokens, TTFT and errors', () => {
    const text = renderText(spans);
    expect(text.match(/^trace [0-9a-f]{32} /gm)).toHaveLength(4);
    for (const s of spans) expect(text).toContain(`${s.name} [${s.kind}]`);
    expect(text.match(/ms {2}test-fn \[SERVER\]/g)).toHaveLength(4); // invocation spans at depth 0
    expect(text).toContain(`  ${NASTY} [INTERNAL]`);
    expect(text).toMatch(/ {4}chat gpt-4o-mini \[CLIENT\]\s+· tokens \d+→\d+ · ttft \d+ ms/);
    expect(text).toMatch(/chat gpt-4o-mini \[CLIENT\] ✗ ERROR.*error\.type=500/);
    expect(text).toMatch(/embeddings text-embedding-3-small \[CLIENT\]\s+· tokens \d+ in/);
  });
});

if (!haveChromium) {
  if (process.env.CI) {
    it('needs Chromium in CI', () => {
      expect.fail(`${CHROMIUM} not found: CI must run the HTML page test (apt-get install chromium)`);
    });
  } else {
    it('the HTML page test needs Chromium, which is not installed here', () => {
      console.warn(`notice: ${CHROMIUM} not found; the HTML waterfall was not rendered in a browser (apt-get install chromium)`);
      expect(haveChromium).toBe(false);
    });
  }
} else {
  describe('renderHtml in headless Chromium', () => {
    let browser: Browser;
    let dir: string;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-html-'));
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
        timeout: 30_000,
      });
    }, 40_000);

    afterAll(async () => {
      await browser?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('renders without console errors, loads nothing else, and shows every span', async () => {
      const file = path.join(dir, 'traces.html');
      fs.writeFileSync(file, renderHtml(spans));
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 15_000 });

      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]); // self-contained
      expect(await page.evaluate('document.scripts.length')).toBe(0); // span names are text, never markup
      expect(await page.locator('section').count()).toBe(groupTraces(spans).length);

      for (const s of spans) {
        const row = page.locator(`details.span[data-span-id="${s.spanId}"]`);
        expect(await row.count(), s.name).toBe(1);
        const name = row.locator('summary .name');
        expect(await name.isVisible(), s.name).toBe(true);
        expect((await name.innerText()).startsWith(s.name), s.name).toBe(true);
        const bar = await row.locator('.bar').boundingBox();
        const track = await row.locator('.track').boundingBox();
        expect(bar!.width, s.name).toBeGreaterThan(0);
        expect(bar!.x).toBeGreaterThanOrEqual(track!.x - 0.5);
        expect(bar!.x + bar!.width).toBeLessThanOrEqual(track!.x + track!.width + 1);
      }
      expect(await page.locator('details.span').count()).toBe(spans.length);

      // Children are indented deeper than their parent; an error span is marked; a click shows the attributes.
      const chat = spans.find((s) => s.name === 'chat gpt-4o-mini' && s.status.code === 'ERROR')!;
      const parent = spans.find((s) => s.spanId === chat.parentSpanId)!;
      const indent = async (id: string) =>
        page
          .locator(`details.span[data-span-id="${id}"] summary .name`)
          .evaluate((e) => parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { paddingLeft: string } }).getComputedStyle(e).paddingLeft));
      expect(await indent(chat.spanId)).toBeGreaterThan(await indent(parent.spanId));
      const row = page.locator(`details.span[data-span-id="${chat.spanId}"]`);
      expect(await row.getAttribute('class')).toContain('error');
      const table = row.locator('table');
      expect(await table.isVisible()).toBe(false);
      await row.locator('summary').click();
      expect(await table.isVisible()).toBe(true);
      expect(await table.innerText()).toMatch(/error\.type\s+"500"/);
      expect(await row.locator('ul').innerText()).toMatch(/event exception/);
      expect(problems).toEqual([]);
      await page.close();
    }, 30_000);
  });
}
