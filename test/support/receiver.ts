import type { ReceivedSpan } from '../../tools/otlp-receiver.ts';

export * from '../../tools/otlp-receiver.ts';

/**
 * The spans as an indented tree, one `name [KIND] STATUS` line each, children under their parent
 * in start order; for assertion messages. Spans whose parent was not received are shown as roots
 * with the missing parent id, which is usually the interesting part of a failure.
 */
export function spanTree(spans: readonly ReceivedSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  const roots: ReceivedSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else {
      roots.push(s);
    }
  }
  const byStart = (a: ReceivedSpan, b: ReceivedSpan) =>
    a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0;
  const lines: string[] = [];
  const visit = (s: ReceivedSpan, depth: number) => {
    const status = s.status.code + (s.status.message ? `: ${s.status.message}` : '');
    const orphan = depth === 0 && s.parentSpanId ? ` (parent ${s.parentSpanId} not received)` : '';
    lines.push(`${'  '.repeat(depth)}${s.name} [${s.kind}] ${status}${orphan}`);
    for (const c of (children.get(s.spanId) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  return lines.length ? lines.join('\n') : '(no spans)';
}

/** The first span called `name`; throws, listing what was received, if there is none. */
export function byName(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.find((s) => s.name === name);
  if (!found) throw new Error(`no span named ${JSON.stringify(name)} among ${spans.length} span(s):\n${spanTree(spans)}`);
  return found;
}
