import { describe, expect, it } from 'vitest';
import { hasRoom, leastLoaded, SpeedWindow, type NodeLoad } from './node-load.js';

const node = (id: string, broadcasts: number, maxBroadcasts: number, slowestSpeed: number | null): NodeLoad => ({
  id,
  url: `http://${id}`,
  broadcasts,
  maxBroadcasts,
  slowestSpeed,
});

describe('node load', () => {
  it('has room under its limit while FFmpeg keeps up', () => {
    expect(hasRoom(node('a', 2, 3, 1))).toBe(true);
    expect(hasRoom(node('a', 0, 3, null))).toBe(true);
    expect(hasRoom(node('a', 3, 3, 1))).toBe(false);
    expect(hasRoom(node('a', 1, 3, 0.9))).toBe(false);
  });

  it('picks the node with the smallest share of its limit, then the fastest', () => {
    expect(leastLoaded([node('a', 2, 4, 1), node('b', 1, 4, 1), node('c', 0, 1, 0.5)])?.id).toBe('b');
    expect(leastLoaded([node('a', 1, 4, 0.99), node('b', 1, 4, 1)])?.id).toBe('b');
    expect(leastLoaded([node('a', 4, 4, 1)])).toBeUndefined();
  });

  it('counts a broadcast as slow only when it stayed behind through every recent sample', () => {
    const window = new SpeedWindow();
    expect(window.push([])).toBeNull();
    expect(window.push([1, 1.01])).toBe(1);
    expect(window.push([0.5])).toBe(1);
    for (let i = 0; i < 3; i++) window.push([0.7, 0.9]);
    expect(window.current()).toBe(0.7);
    expect(window.push([])).toBeNull();
  });
});
