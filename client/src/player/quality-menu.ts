import { h } from '../dom.js';
import type { QualityLevel } from './playback-engine.js';

export const AUTO = 'auto';

/** Rungs are named by their height, as the ladder names them (e.g. 480p). */
export function qualityLabel(height: number): string {
  return `${height}p`;
}

/** The menu's rungs: highest first, one entry per height (the highest bitrate wins a tie). */
export function menuLevels(levels: readonly QualityLevel[]): QualityLevel[] {
  const byHeight = new Map<number, QualityLevel>();
  for (const level of levels) {
    const kept = byHeight.get(level.height);
    if (!kept || level.bitrate > kept.bitrate) byHeight.set(level.height, level);
  }
  return [...byHeight.values()].sort((a, b) => b.height - a.height);
}

/** The quality <select> ("Auto" and each rung) and the readout of the rung in play. */
export class QualityMenu {
  readonly select = h('select', {
    className: 'quality-select',
    disabled: true,
    attrs: { 'data-testid': 'quality', 'aria-label': 'Quality' },
  });
  readonly current = h('span', { className: 'quality-current', attrs: { 'data-testid': 'quality-current' } });

  constructor(onSelect: (id: string | null) => void) {
    this.reset();
    this.select.addEventListener('change', () => onSelect(this.select.value === AUTO ? null : this.select.value));
  }

  setLevels(levels: readonly QualityLevel[]): void {
    const rungs = menuLevels(levels);
    this.select.replaceChildren(
      h('option', { value: AUTO, textContent: 'Auto' }),
      ...rungs.map((level) => h('option', { value: level.id, textContent: qualityLabel(level.height) })),
    );
    this.select.value = AUTO;
    this.select.disabled = rungs.length < 2;
  }

  setCurrent(level: QualityLevel | null): void {
    this.current.textContent = level ? qualityLabel(level.height) : '';
  }

  reset(): void {
    this.setLevels([]);
    this.setCurrent(null);
  }
}
