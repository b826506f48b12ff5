import type { IngestHealth } from '../../../shared/ingest-health.js';
import { h } from '../dom.js';
import { chartPoints, ingestHealthRows } from './ingest-health-figures.js';
import './ingest-health.css';

const SVG = 'http://www.w3.org/2000/svg';
const CHART_W = 240;
const CHART_H = 48;
/** The chart's scale never shrinks below these, so a quiet stream does not look like a busy one. */
const BITRATE_FLOOR_KBPS = 500;
const FPS_FLOOR = 30;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  return el;
}

/** A live broadcast's ingest on its dashboard card: the measured figures, the warnings and a minute of bitrate and frame rate. */
export class IngestHealthPanel {
  readonly element = h('section', { className: 'ingest-health', attrs: { 'data-testid': 'ingest-health', 'aria-label': 'Ingest health' } });
  private readonly warnings = h('ul', { className: 'ingest-health-warnings', attrs: { 'data-testid': 'health-warnings' } });
  private readonly rows = h('dl', { className: 'ingest-health-rows' });
  private readonly bitrateLine = svg('polyline', { class: 'chart-bitrate' });
  private readonly fpsLine = svg('polyline', { class: 'chart-fps' });

  constructor() {
    const chart = svg('svg', {
      class: 'ingest-health-chart',
      viewBox: `0 0 ${CHART_W} ${CHART_H}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': 'Bitrate and frame rate over the last minute',
      'data-testid': 'health-chart',
    });
    chart.append(this.bitrateLine, this.fpsLine);
    const legend = h(
      'p',
      { className: 'ingest-health-legend' },
      h('span', { className: 'legend-bitrate', textContent: 'bitrate' }),
      h('span', { className: 'legend-fps', textContent: 'frame rate' }),
      ' · last minute',
    );
    this.element.append(this.warnings, this.rows, chart, legend);
    this.update(undefined);
  }

  /** Shows the health of the broadcast, or hides the panel when nothing is live here. */
  update(health: IngestHealth | undefined): void {
    this.element.hidden = health === undefined;
    if (!health) return;
    this.warnings.replaceChildren(...health.warnings.map((w) => h('li', { textContent: w })));
    this.rows.replaceChildren(
      // Each figure's term and value in one grid cell, so a narrow card never splits a pair across rows.
      ...ingestHealthRows(health).map(([key, label, value]) =>
        h('div', {}, h('dt', { textContent: label }), h('dd', { textContent: value, attrs: { 'data-testid': `health-${key}` } })),
      ),
    );
    this.bitrateLine.setAttribute('points', chartPoints(health.history, 'bitrateKbps', CHART_W, CHART_H, BITRATE_FLOOR_KBPS));
    this.fpsLine.setAttribute('points', chartPoints(health.history, 'frameRate', CHART_W, CHART_H, FPS_FLOOR));
  }
}
