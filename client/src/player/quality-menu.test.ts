import { describe, expect, it } from 'vitest';
import { menuLevels, qualityLabel } from './quality-menu.js';

describe('quality labels', () => {
  it('names a rung by its height', () => {
    expect(qualityLabel(480)).toBe('480p');
    expect(qualityLabel(1080)).toBe('1080p');
  });

  it('lists rungs highest first, one per height', () => {
    const levels = [
      { id: '0', height: 144, bitrate: 200_000 },
      { id: '1', height: 480, bitrate: 1_200_000 },
      { id: '2', height: 360, bitrate: 800_000 },
      { id: '3', height: 480, bitrate: 1_500_000 },
    ];
    expect(menuLevels(levels).map((l) => [l.id, qualityLabel(l.height)])).toEqual([
      ['3', '480p'],
      ['2', '360p'],
      ['0', '144p'],
    ]);
  });
});
