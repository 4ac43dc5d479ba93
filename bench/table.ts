/** The runner table: one column per variant, every cell against the bare handler of the same run. */
import type { ColdSamples, HangSamples, WarmSamples } from './phases.ts';
import { cell, kib, markdownTable, stat, type Stat } from './report.ts';
import type { Sink, Variant } from './setup.ts';

export const LABELS: Record<string, string> = {
  bare: 'bare handler',
  ours: 'ours (export before response)',
  'ours-after': 'ours (export after response, extension)',
  otel: '(a) OTel SDK + instrumentations',
  adot: '(b) ADOT Lambda layer',
  powertools: '(c) Powertools Tracer (X-Ray, UDP)',
  sentry: '(d) Sentry aws-serverless',
};

export interface Measured {
  cold: Record<string, ColdSamples>;
  warmed: Record<string, WarmSamples>;
  hang: Record<string, HangSamples>;
  warmCount: number;
  hangCount: number;
}

type Row = string[];
const s = (xs: number[] | undefined) => stat(xs);
const diff = (a: Stat | undefined, b: Stat | undefined) => (a && b ? `${(a.median - b.median).toFixed(2)}` : 'n/a');

export function runnerTable(cols: string[], variants: (key: string) => Variant | undefined, m: Measured, withExtension: boolean): string {
  const rows = [...coldRows(cols, m), sizeRow(cols, variants), ...warmRows(cols, m), ...tailRows(cols, variants, m)];
  if (!withExtension)
    rows.push([
      'After-response export (extension)',
      'TODO: the runner has no Extensions API yet (tools/runner/extensions-api.ts)',
      ...cols.slice(2).map(() => ''),
    ]);
  return markdownTable(['', ...cols.map((k) => LABELS[k] ?? k)], rows);
}

function coldRows(cols: string[], { cold }: Measured): Row[] {
  const row = (label: string, pick: (c: ColdSamples | undefined) => number[] | undefined, digits: number): Row => {
    const base = s(pick(cold['bare']));
    return [label, ...cols.map((k) => cell(s(pick(cold[k])), k === 'bare' ? undefined : base, { digits }))];
  };
  return [
    row('Cold start: init + first response, ms', (c) => c?.totalMs, 0),
    row('… init (import of the code), ms', (c) => c?.initMs, 0),
    row('… first invocation, ms', (c) => c?.firstInvokeMs, 1),
  ];
}

function sizeRow(cols: string[], variants: (key: string) => Variant | undefined): Row {
  const bare = variants('bare')!.size;
  return [
    'Code size, minified / gzip, KiB',
    ...cols.map((k) => {
      const z = variants(k)!.size;
      const ratio = k === 'bare' ? '' : ` ×${(z.gzipBytes / bare.gzipBytes).toFixed(2)}`;
      const disk = z.onDiskBytes ? ` (runs from ${(z.onDiskBytes / 2 ** 20).toFixed(0)} MiB of node_modules)` : '';
      return `${kib(z.minBytes)} / ${kib(z.gzipBytes)}${ratio}${disk}`;
    }),
  ];
}

function warmRows(cols: string[], { warmed }: Measured): Row[] {
  const base = { wall: s(warmed['bare']?.wallMs), cpu: s(warmed['bare']?.cpuMsPerChunk) };
  const noExport = (k: string) => (k === 'ours' ? 'ours-noexport' : k);
  const quiet = (k: string) => k === 'bare' || k === 'ours';
  const c = (k: string, xs: number[] | undefined, b: Stat | undefined) => cell(s(xs), k === 'bare' ? undefined : b, { digits: 2 });
  return [
    [
      'Warm, not exporting: wall ms/invocation',
      ...cols.map((k) => (quiet(k) ? c(k, warmed[noExport(k)]?.wallMs, base.wall) : 'n/a (flushes on every invocation)')),
    ],
    ['Warm, not exporting: CPU ms/invocation', ...cols.map((k) => (quiet(k) ? c(k, warmed[noExport(k)]?.cpuMsPerChunk, base.cpu) : 'n/a'))],
    ['Warm, exporting (loopback collector): wall ms/invocation', ...cols.map((k) => c(k, warmed[k]?.wallMs, base.wall))],
    ['Warm, exporting: CPU ms/invocation', ...cols.map((k) => c(k, warmed[k]?.cpuMsPerChunk, base.cpu))],
    ['Response latency added vs bare (exporting), ms', ...cols.map((k) => (k === 'bare' ? '0' : diff(s(warmed[k]?.wallMs), base.wall)))],
    [
      '… of which the flush (loopback), ms',
      ...cols.map((k) =>
        k === 'ours' ? diff(s(warmed['ours']?.wallMs), s(warmed['ours-noexport']?.wallMs)) : k === 'ours-after' ? '0 (after the response)' : 'n/a',
      ),
    ],
    [
      'Post-response time billed (warm), ms',
      ...cols.map((k) => (k === 'ours-after' ? cell(s(warmed[k]?.postRuntimeMs), undefined, { digits: 2 }) : k === 'bare' ? '' : 'n/a')),
    ],
  ];
}

const HANG_NOTE: Partial<Record<Sink, string>> = { xray: ' (UDP: no answer to wait for)' };

function tailRows(cols: string[], variants: (key: string) => Variant | undefined, m: Measured): Row[] {
  const { warmed, hang } = m;
  const hangCell = (k: string) => {
    const h = hang[k];
    if (!h) return 'no export';
    const post = s(h.postRuntimeMs);
    const after = k === 'ours-after' && post ? `, then ${post.median.toFixed(0)} billed after it` : '';
    return cell(s(h.responseMs), undefined, { digits: 0, range: true }) + after + (HANG_NOTE[variants(k)!.sink] ?? '');
  };
  const rss = (k: string) => {
    const w = warmed[k];
    if (!w?.peakRssMB) return 'n/a';
    const b = warmed['bare']?.peakRssMB;
    const vs = b && k !== 'bare' ? ` ×${(w.peakRssMB / b).toFixed(2)} (${w.peakRssMB - b >= 0 ? '+' : ''}${w.peakRssMB - b} MB)` : '';
    return `${w.peakRssMB}${vs} (+${w.peakRssMB - (w.peakRssAfterWarmupMB ?? w.peakRssMB)} since warm-up)`;
  };
  return [
    [`Response with a hanging collector, ms (n=${m.hangCount}, [min–max])`, ...cols.map(hangCell)],
    [`Peak RSS after ${m.warmCount.toLocaleString('en')} warm invocations, MB`, ...cols.map(rss)],
    ['Spans received per warm invocation', ...cols.map((k) => ((warmed[k]?.spansReceived ?? 0) / Math.max(1, warmed[k]?.invocations ?? 1)).toFixed(2))],
  ];
}
