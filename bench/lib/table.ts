import type { Figure, Target } from './benchmark.js';
import { median, summarize } from './stats.js';

/** Three significant-ish digits: 0.123, 2.75, 31.4, 182. */
export function formatNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

export function meetsTarget(value: number, target: Target): boolean {
  return target.op === '<=' ? value <= target.value : value >= target.value;
}

const formatTarget = (t: Target | undefined) => (t ? `${t.op === '<=' ? '≤' : '≥'} ${t.value}${t.of === 'ratio' ? '×' : ''}` : '—');

/** The median of a figure over the median of its reference: undefined without a (non-zero) reference. */
function ratioOf(f: Figure): number | undefined {
  const refMedian = f.reference ? median(f.reference.values) : undefined;
  return refMedian ? median(f.values) / refMedian : undefined;
}

function targetMet(f: Figure): string {
  if (!f.target) return '—';
  const bounded = f.target.of === 'ratio' ? ratioOf(f) : median(f.values);
  if (bounded === undefined) throw new Error(`"${f.metric}" has a target on its ratio but no reference`);
  return meetsTarget(bounded, f.target) ? 'yes' : 'NO';
}

/** The results as a Markdown table (readable as plain text too). Reference columns appear only when used. */
export function renderTable(figures: readonly Figure[]): string {
  const withReference = figures.some((f) => f.reference);
  const header = ['metric', 'median', 'min', 'max', 'runs', 'target', 'ok?', ...(withReference ? ['reference', 'ratio'] : [])];
  const rows = figures.map((f) => {
    const s = summarize(f.values);
    const row = [f.metric, formatNumber(s.median), formatNumber(s.min), formatNumber(s.max), String(s.n), formatTarget(f.target), targetMet(f)];
    if (withReference) {
      const ratio = ratioOf(f);
      row.push(f.reference ? `${f.reference.name}: ${formatNumber(median(f.reference.values))}` : '—');
      row.push(ratio === undefined ? '—' : `${formatNumber(ratio)}×`);
    }
    return row;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
