import { describe, expect, it } from 'vitest';
import { formatNumber, renderTable } from './table.js';

describe('formatNumber', () => {
  it('keeps about three significant digits', () => {
    expect([0.12345, 2.7512, 31.44, 182.6].map(formatNumber)).toEqual(['0.123', '2.75', '31.4', '183']);
  });
});

describe('renderTable', () => {
  it('shows median, min, max, run count and whether the median meets the target', () => {
    const table = renderTable([
      { metric: 'go-live time (s)', values: [2.5, 3.5, 2.75], target: { op: '<=', value: 3 } },
      { metric: 'server RSS (MB)', values: [400, 350, 390], target: { op: '<=', value: 300 } },
      { metric: 'FFmpeg CPU (cores)', values: [0.5] },
    ]);
    const rows = table.split('\n').map((l) => l.split('|').map((c) => c.trim()).slice(1, -1));
    expect(rows[0]).toEqual(['metric', 'median', 'min', 'max', 'runs', 'target', 'ok?']);
    expect(rows[2]).toEqual(['go-live time (s)', '2.75', '2.50', '3.50', '3', '≤ 3', 'yes']);
    expect(rows[3]).toEqual(['server RSS (MB)', '390', '350', '400', '3', '≤ 300', 'NO']);
    expect(rows[4]).toEqual(['FFmpeg CPU (cores)', '0.500', '0.500', '0.500', '1', '—', '—']);
  });

  it('adds the reference and the ratio of medians when a figure has a reference', () => {
    const table = renderTable([
      { metric: 'CPU (cores)', values: [1.2, 1.1, 1.3], reference: { name: 'bare FFmpeg', values: [1, 1, 1] } },
      { metric: 'RSS (MB)', values: [100] },
    ]);
    const rows = table.split('\n').map((l) => l.split('|').map((c) => c.trim()).slice(1, -1));
    expect(rows[0]!.slice(-2)).toEqual(['reference', 'ratio']);
    expect(rows[2]!.slice(-2)).toEqual(['bare FFmpeg: 1.00', '1.20×']);
    expect(rows[3]!.slice(-2)).toEqual(['—', '—']);
  });

  it('checks a ratio target against the ratio of medians, not the median itself', () => {
    const table = renderTable([
      { metric: 'CPU (CPU-s)', values: [31, 30, 29], reference: { name: 'bare', values: [30, 30, 30] }, target: { op: '<=', value: 1.05, of: 'ratio' } },
      { metric: 'req/s', values: [40], reference: { name: 'nginx', values: [100] }, target: { op: '>=', value: 0.5, of: 'ratio' } },
    ]);
    const rows = table.split('\n').map((l) => l.split('|').map((c) => c.trim()).slice(1, -1));
    expect(rows[2]!.slice(5)).toEqual(['≤ 1.05×', 'yes', 'bare: 30.0', '1.00×']);
    expect(rows[3]!.slice(5)).toEqual(['≥ 0.5×', 'NO', 'nginx: 100', '0.400×']);
  });

  it('refuses a ratio target without a reference', () => {
    expect(() => renderTable([{ metric: 'x', values: [1], target: { op: '<=', value: 1, of: 'ratio' } }])).toThrow(/no reference/);
  });
});
