import type { ReceivedSpan } from '../../tools/otlp/index.ts';
import { ordered } from '../../tools/trace-view.ts';

export * from '../../tools/otlp/index.ts';

/**
 * The spans as an indented tree, one `name [KIND] STATUS` line each, children under their parent
 * in start order; for assertion messages. Spans whose parent was not received are shown as roots
 * with the missing parent id, which is usually the interesting part of a failure.
 */
export function spanTree(spans: readonly ReceivedSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const lines = ordered(spans).map(({ span: s, depth }) => {
    const status = s.status.code + (s.status.message ? `: ${s.status.message}` : '');
    const orphan = depth === 0 && s.parentSpanId && !ids.has(s.parentSpanId) ? ` (parent ${s.parentSpanId} not received)` : '';
    return `${'  '.repeat(depth)}${s.name} [${s.kind}] ${status}${orphan}`;
  });
  return lines.length ? lines.join('\n') : '(no spans)';
}

/** The first span called `name`; throws, listing what was received, if there is none. */
export function byName(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.find((s) => s.name === name);
  if (!found) throw new Error(`no span named ${JSON.stringify(name)} among ${spans.length} span(s):\n${spanTree(spans)}`);
  return found;
}
