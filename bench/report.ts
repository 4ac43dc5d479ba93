/** Summary statistics and the markdown table. */

export interface Stat {
  n: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function stat(xs: readonly number[] | undefined): Stat | undefined {
  const v = (xs ?? []).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return { n: v.length, median: quantile(v, 0.5), p25: quantile(v, 0.25), p75: quantile(v, 0.75), min: v[0]!, max: v.at(-1)! };
}

const fmt = (x: number, digits: number) => x.toFixed(digits);

/** `median [p25–p75] (×ratio to base)`; with `range`, min–max instead of the quartiles (few samples). */
export function cell(s: Stat | undefined, base?: Stat, opts: { digits?: number; range?: boolean } = {}): string {
  if (!s) return 'n/a';
  const d = opts.digits ?? 1;
  const spread = opts.range ? `${fmt(s.min, d)}–${fmt(s.max, d)}` : `${fmt(s.p25, d)}–${fmt(s.p75, d)}`;
  const ratio = base && base.median > 0 ? ` ×${(s.median / base.median).toFixed(2)}` : '';
  return `${fmt(s.median, d)} [${spread}]${ratio}`;
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)}`;
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
