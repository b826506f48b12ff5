import { describe, expect, it } from 'vitest';
import type { SimulcastSource } from '../session/ingest.js';
import { LayersMonitor, type LayersState } from './layers-monitor.js';
import { RETURN_AFTER_MS } from './top-rung-policy.js';

function source(): SimulcastSource & { missing: string | undefined } {
  return {
    layers: [
      { width: 640, height: 360, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31 },
      { width: 320, height: 180, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 21 },
    ],
    missing: undefined,
    openInput: () => Promise.reject(new Error('not in this test')),
    unavailable() {
      return this.missing;
    },
    bitrates: () => [0, 0],
  };
}

describe('LayersMonitor', () => {
  it('starts in layers mode, encodes at the first layer gone, and returns only after the layers held for a while', () => {
    let now = 0;
    const changes: LayersState[] = [];
    const simulcast = source();
    const monitor = new LayersMonitor({ simulcast, setting: 'auto', onChange: (s) => changes.push(s), now: () => now });
    expect(monitor.state.mode).toBe('layers');
    expect(monitor.state.reason).toContain('640x360, 320x180');

    simulcast.missing = 'the publisher stopped sending its 320x180 layer';
    monitor.sample();
    expect(changes).toEqual([{ mode: 'encode', reason: 'the publisher stopped sending its 320x180 layer' }]);

    simulcast.missing = undefined;
    monitor.sample();
    now += RETURN_AFTER_MS - 1;
    monitor.sample();
    expect(changes).toHaveLength(1);
    now += 1;
    monitor.sample();
    expect(changes.at(-1)?.mode).toBe('layers');
  });

  it('starts encoded when a layer is already missing at go-live', () => {
    const simulcast = source();
    simulcast.missing = 'the publisher is away';
    expect(new LayersMonitor({ simulcast, setting: 'auto', onChange: () => undefined }).state).toEqual({ mode: 'encode', reason: 'the publisher is away' });
  });
});
