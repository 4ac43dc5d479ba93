/**
 * The HTML waterfall: one section per trace (its services, start time and a time axis), one row per span with
 * its bar, a mark at the time to first token of streams, the queue wait before a consumer, and the error message
 * on the row. Self-contained (no script, no request), readable from 600 px wide up.
 */
import type { ReceivedSpan } from './otlp/index.ts';
import { groupTraces, highlights, ordered } from './trace-view.ts';

const KINDS = ['SERVER', 'CLIENT', 'INTERNAL', 'PRODUCER', 'CONSUMER'] as const;

/** A self-contained HTML page: one waterfall per trace, every span a row, attributes on click. */
export function renderHtml(spans: readonly ReceivedSpan[], title = 'lambda-llm-tracing: traces'): string {
  const sections = groupTraces(spans).map((group) => renderTrace(group.traceId, group.spans));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>${STYLE}</style></head>
<body><h1>${escape(title)}</h1>
${legend()}
${sections.join('\n') || '<p>No spans received.</p>'}
</body></html>
`;
}

/** Where a trace sits in time: its first start and its length, in ns. */
interface Frame {
  t0: bigint;
  total: number;
}

const pct = (f: Frame, at: bigint) => Math.min(100, Math.max(0, (Number(at - f.t0) / f.total) * 100));

function renderTrace(traceId: string, spans: ReceivedSpan[]): string {
  const nodes = ordered(spans);
  const t0 = nodes.reduce((m, x) => (x.span.startTimeUnixNano < m ? x.span.startTimeUnixNano : m), nodes[0]!.span.startTimeUnixNano);
  const t1 = nodes.reduce((m, x) => (x.span.endTimeUnixNano > m ? x.span.endTimeUnixNano : m), nodes[0]!.span.endTimeUnixNano);
  const frame: Frame = { t0, total: Number(t1 - t0) || 1 };
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const services = [...new Set(nodes.map((x) => String(x.span.resource['service.name'] ?? x.span.resource['faas.name'] ?? '')).filter(Boolean))];
  const started = new Date(Number(t0 / 1_000_000n)).toISOString().replace('T', ' ').replace('Z', ' UTC');
  const rows = nodes.map(({ span, depth }) => renderRow(span, depth, frame, queueWait(span, byId))).join('\n');
  return `<section data-trace-id="${traceId}"><h2><span class="services">${escape(services.join(' → ') || 'unknown service')}</span>
<span class="when">${started}</span> <span class="total">${(frame.total / 1e6).toFixed(1)} ms</span> <code class="trace-id">${traceId}</code></h2>
${axis(frame)}
${rows}</section>`;
}

function renderRow(span: ReceivedSpan, depth: number, f: Frame, wait: { from: bigint; ms: number } | undefined): string {
  const left = pct(f, span.startTimeUnixNano);
  const width = Math.max(0.3, (Number(span.endTimeUnixNano - span.startTimeUnixNano) / f.total) * 100);
  const ttft = span.attributes['gen_ai.response.time_to_first_chunk'];
  const marks: string[] = [];
  if (wait) {
    const from = pct(f, wait.from);
    marks.push(`<span class="wait" style="left:${from.toFixed(2)}%;width:${Math.max(0.3, left - from).toFixed(2)}%" title="queue wait ${wait.ms.toFixed(1)} ms"></span>`);
  }
  marks.push(`<span class="bar kind-${span.kind}" style="left:${left.toFixed(2)}%;width:${Math.min(width, 100 - left).toFixed(2)}%"></span>`);
  if (typeof ttft === 'number') {
    const at = pct(f, span.startTimeUnixNano + BigInt(Math.round(ttft * 1e9)));
    marks.push(`<span class="ttft" style="left:${at.toFixed(2)}%" title="time to first token ${(ttft * 1000).toFixed(0)} ms"></span>`);
  }
  const facts = highlights(span);
  if (wait) facts.unshift(`queue wait ${wait.ms.toFixed(1)} ms`);
  const message = errorMessage(span);
  const error = span.status.code === 'ERROR' ? `<span class="err">✗ ${escape(message ?? 'error')}</span> ` : '';
  return `<details class="span ${span.status.code === 'ERROR' ? 'error' : ''}" data-span-id="${span.spanId}">
<summary><span class="name" style="padding-left:${depth * 16}px" title="${escape(span.name)}">${escape(span.name)} <small>${span.kind}</small></span>
<span class="track">${marks.join('')}</span>
<span class="dur">${span.durationMs.toFixed(1)} ms</span><span class="facts">${error}${escape(facts.join(' · '))}</span></summary>
${details(span)}</details>`;
}

/** The attributes, events and links shown when a row is opened. */
function details(span: ReceivedSpan): string {
  const attrs = Object.entries(span.attributes)
    .map(([k, v]) => `<tr><td>${escape(k)}</td><td>${escape(json(v))}</td></tr>`)
    .join('');
  const events = span.events.map((e) => `<li>event ${escape(e.name)} <code>${escape(json(e.attributes))}</code></li>`);
  const links = span.links.map((l) => `<li>link ${l.traceId}/${l.spanId} <code>${escape(json(l.attributes))}</code></li>`);
  const status = span.status.code === 'ERROR' ? `<li>status ERROR${span.status.message ? `: ${escape(span.status.message)}` : ''}</li>` : '';
  const notes = status + events.join('') + links.join('');
  return `<table>${attrs}</table>${notes ? `<ul>${notes}</ul>` : ''}`;
}

/** The status message, else the recorded exception's message. */
function errorMessage(span: ReceivedSpan): string | undefined {
  if (span.status.message) return span.status.message;
  const exception = span.events.find((e) => e.name === 'exception');
  const message = exception?.attributes['exception.message'];
  return typeof message === 'string' ? message : undefined;
}

/**
 * A consumer that starts after its producer ended waited in the queue in between. The producer is the
 * consumer's parent, or the span its message link points to (a nested consumer under a consumer shows none).
 */
function queueWait(span: ReceivedSpan, byId: Map<string, ReceivedSpan>): { from: bigint; ms: number } | undefined {
  if (span.kind !== 'CONSUMER') return undefined;
  const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
  if (parent?.kind === 'CONSUMER') return undefined;
  const producer =
    parent?.kind === 'PRODUCER' ? parent : span.links.map((l) => byId.get(l.spanId)).find((s) => s?.kind === 'PRODUCER');
  if (!producer || span.startTimeUnixNano <= producer.endTimeUnixNano) return undefined;
  return { from: producer.endTimeUnixNano, ms: Number(span.startTimeUnixNano - producer.endTimeUnixNano) / 1e6 };
}

/** Ticks at a round step (1, 2 or 5 × 10^k ms), about five across. */
function axis(f: Frame): string {
  const totalMs = f.total / 1e6;
  const raw = totalMs / 5;
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
  const ticks: string[] = [];
  for (let t = 0; t <= totalMs + 1e-9; t += step) {
    const left = (t / totalMs) * 100;
    const label = t === 0 ? '0' : `${step < 1 ? t.toFixed(1) : t.toFixed(0)} ms`;
    const edge = left > 85 ? ' end' : t === 0 ? ' start' : '';
    ticks.push(`<span class="tick${edge}" style="left:${left.toFixed(2)}%"><i>${label}</i></span>`);
  }
  return `<div class="axis-row"><span class="axis-label">time since the trace began</span><span class="axis">${ticks.join('')}</span><span></span></div>`;
}

function legend(): string {
  const kinds = KINDS.map((k) => `<span class="key"><span class="swatch kind-${k}"></span>${k.toLowerCase()}</span>`).join('');
  return `<p class="legend">${kinds}<span class="key"><span class="swatch error"></span>error</span><span class="key"><span class="swatch ttft-key"></span>time to first token</span><span class="key"><span class="swatch wait-key"></span>queue wait</span></p>`;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const json = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x)) ?? '';

// Narrow: name | track | duration, the facts on a second line under the track. Wide: the facts get a column.
const STYLE = `
body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;min-width:552px}
h1{font-size:18px}h2{font-size:14px;margin:22px 0 4px;font-weight:600}
h2 .when,h2 .total{font-weight:400;color:#556;margin-left:8px}h2 .trace-id{font-weight:400;color:#889;font-size:11px;margin-left:8px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;color:#445;font-size:12px}
.key{display:inline-flex;align-items:center;gap:5px}.swatch{display:inline-block;width:14px;height:10px;border-radius:2px;background:#4a7bd0}
.span summary,.axis-row{display:grid;grid-template-columns:minmax(130px,30%) minmax(160px,1fr) 68px;column-gap:8px;align-items:center}
.span summary{cursor:pointer;padding:2px 0;border-bottom:1px solid #eef;list-style:none}
.span summary::-webkit-details-marker{display:none}
.name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.name small{color:#778}.span.error .name{color:#b00020}
.track{position:relative;height:12px;background:#f4f6fa}
.bar{position:absolute;top:0;height:12px;border-radius:2px;background:#4a7bd0}
.kind-CLIENT{background:#2e9e6a}.kind-INTERNAL{background:#7f8ea3}.kind-PRODUCER{background:#d08a2e}.kind-CONSUMER{background:#a26bd6}
.span.error .bar,.swatch.error{background:#d03a4a}
.ttft,.ttft-key{position:absolute;top:-3px;width:2px;height:18px;margin-left:-1px;background:#1d2330}
.ttft-key{position:static;display:inline-block;width:2px;height:12px;margin:0 6px}
.wait,.wait-key{position:absolute;top:3px;height:6px;background:repeating-linear-gradient(135deg,#d08a2e 0 3px,transparent 3px 6px);border-top:1px dashed #d08a2e;border-bottom:1px dashed #d08a2e}
.wait-key{position:static;display:inline-block;width:14px}
.dur{text-align:right;font-variant-numeric:tabular-nums}
.facts{grid-column:2 / 4;color:#556;font-size:12px;min-height:0}.facts:empty{display:none}
.err{color:#b00020;font-weight:600}
.axis-row{margin-bottom:2px}.axis-label{color:#889;font-size:11px}
.axis{position:relative;height:16px;border-bottom:1px solid #ccd}
.tick{position:absolute;bottom:0;height:5px;border-left:1px solid #99a}
.tick i{position:absolute;bottom:5px;transform:translateX(-50%);font-style:normal;font-size:11px;color:#667;white-space:nowrap}
.tick.start i{transform:none}.tick.end i{transform:translateX(-100%)}
table{margin:4px 0 8px 24px;border-collapse:collapse;font:12px ui-monospace,monospace}td{padding:1px 8px;border-bottom:1px solid #f0f0f0;word-break:break-all}
@media (min-width:1200px){
.span summary,.axis-row{grid-template-columns:minmax(220px,340px) minmax(300px,1fr) 80px minmax(200px,320px)}
.facts{grid-column:auto}.facts:empty{display:block}
}`;
