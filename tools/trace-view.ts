/**
 * Renders received traces for people: an indented tree for the terminal and a self-contained HTML waterfall.
 * Used by `npm start` and `npm run traces`.
 */
import type { AttrValue, ReceivedSpan } from './otlp/index.ts';

export interface TraceGroup {
  traceId: string;
  spans: ReceivedSpan[];
}

/** Spans grouped by trace, traces in order of their first span's start. */
export function groupTraces(spans: readonly ReceivedSpan[]): TraceGroup[] {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId) ?? [];
    list.push(s);
    byTrace.set(s.traceId, list);
  }
  const start = (g: ReceivedSpan[]) => g.reduce((m, s) => (s.startTimeUnixNano < m ? s.startTimeUnixNano : m), g[0]!.startTimeUnixNano);
  return [...byTrace.entries()]
    .map(([traceId, list]) => ({ traceId, spans: list }))
    .sort((a, b) => (start(a.spans) < start(b.spans) ? -1 : 1));
}

interface Node {
  span: ReceivedSpan;
  depth: number;
}

/** Depth-first order, children by start time; spans whose parent was not received are roots. */
export function ordered(spans: readonly ReceivedSpan[]): Node[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  const roots: ReceivedSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else roots.push(s);
  }
  const byStart = (a: ReceivedSpan, b: ReceivedSpan) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0);
  const out: Node[] = [];
  const visit = (s: ReceivedSpan, depth: number) => {
    out.push({ span: s, depth });
    for (const c of (children.get(s.spanId) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  return out;
}

const n = (v: AttrValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

/** The facts a person looks for on one line: tokens, time to first chunk / byte, status codes, attempts, errors. */
export function highlights(span: ReceivedSpan): string[] {
  const a = span.attributes;
  const out: string[] = [];
  const input = n(a['gen_ai.usage.input_tokens']);
  const output = n(a['gen_ai.usage.output_tokens']);
  // Embeddings have input tokens only.
  if (input !== undefined && output === undefined) out.push(`tokens ${input} in`);
  else if (input !== undefined || output !== undefined) out.push(`tokens ${input ?? '?'}→${output ?? '?'}`);
  const ttft = n(a['gen_ai.response.time_to_first_chunk']);
  if (ttft !== undefined) out.push(`ttft ${(ttft * 1000).toFixed(0)} ms`);
  // A response-streaming invocation: when its first byte went to the client.
  const ttfb = n(a['llm.response.time_to_first_byte']);
  if (ttfb !== undefined) out.push(`first byte ${(ttfb * 1000).toFixed(0)} ms`);
  const reasons = a['gen_ai.response.finish_reasons'];
  if (Array.isArray(reasons) && reasons.length) out.push(`finish ${reasons.join(',')}`);
  if (n(a['llm.request.attempts'])! > 1) out.push(`${a['llm.request.attempts']} attempts`);
  if (a['llm.stream.outcome'] && a['llm.stream.outcome'] !== 'completed') out.push(`stream ${String(a['llm.stream.outcome'])}`);
  const status = n(a['http.response.status_code']);
  if (status !== undefined) out.push(String(status));
  if (a['faas.coldstart'] === true) out.push('cold start');
  if (a['error.type'] !== undefined) out.push(`error.type=${String(a['error.type'])}`);
  const cost = n(a['llm.usage.cost_usd']);
  if (cost !== undefined) out.push(`$${cost.toFixed(6)}`);
  return out;
}

const ms = (d: number) => (d >= 100 ? d.toFixed(0) : d.toFixed(1)).padStart(6) + ' ms';

/** An indented tree with a bar showing where each span sits in its trace. */
export function renderText(spans: readonly ReceivedSpan[], width = 24): string {
  const lines: string[] = [];
  for (const group of groupTraces(spans)) {
    const nodes = ordered(group.spans);
    const t0 = nodes.reduce((m, x) => (x.span.startTimeUnixNano < m ? x.span.startTimeUnixNano : m), nodes[0]!.span.startTimeUnixNano);
    const t1 = nodes.reduce((m, x) => (x.span.endTimeUnixNano > m ? x.span.endTimeUnixNano : m), nodes[0]!.span.endTimeUnixNano);
    const total = Number(t1 - t0) || 1;
    const service = String(group.spans[0]!.resource['service.name'] ?? '');
    lines.push(`trace ${group.traceId}  ${service}  ${(total / 1e6).toFixed(1)} ms`);
    for (const { span, depth } of nodes) {
      const from = Math.floor((Number(span.startTimeUnixNano - t0) / total) * width);
      const len = Math.max(1, Math.round((Number(span.endTimeUnixNano - span.startTimeUnixNano) / total) * width));
      const bar = ' '.repeat(Math.min(from, width - 1)) + '█'.repeat(Math.min(len, width - Math.min(from, width - 1)));
      const status = span.status.code === 'ERROR' ? ' ✗ ERROR' + (span.status.message ? ` (${span.status.message})` : '') : '';
      const facts = highlights(span);
      lines.push(
        `  ${bar.padEnd(width)} ${ms(span.durationMs)}  ${'  '.repeat(depth)}${span.name} [${span.kind}]${status}${facts.length ? '  · ' + facts.join(' · ') : ''}`,
      );
      for (const link of span.links) {
        lines.push(`  ${' '.repeat(width)}           ${'  '.repeat(depth)}  ↳ link ${link.traceId}/${link.spanId}${link.attributes['llm.link.source'] ? ` (${String(link.attributes['llm.link.source'])})` : ''}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

export { renderHtml } from './trace-html.ts';
