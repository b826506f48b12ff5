import { describe, expect, it } from 'vitest';
import type { LayerReading, SimulcastSource } from '../session/ingest.js';
import { LayersMonitor, type LayersState } from './layers-monitor.js';
import { RETURN_AFTER_MS } from './top-rung-policy.js';

type FakeSource = SimulcastSource & { missing: string | undefined; readings: LayerReading[] };

const reading = (keyframesAtS: number[], mediaTimeS: number): LayerReading => ({ frames: mediaTimeS * 30 + 1, mediaTimeS, keyframesAtS, originS: 50 });

function source(): FakeSource {
  return {
    layers: [
      { width: 640, height: 360, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31 },
      { width: 320, height: 180, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 21 },
    ],
    missing: undefined,
    readings: [reading([0], 1), reading([0], 1)],
    openInput: () => Promise.reject(new Error('not in this test')),
    unavailable() {
      return this.missing;
    },
    bitrates: () => [0, 0],
    readLayers() {
      return this.readings;
    },
  };
}

const monitorOf = (simulcast: FakeSource, changes: LayersState[], now: () => number) =>
  new LayersMonitor({ simulcast, setting: 'auto', fps: 30, onChange: (s) => changes.push(s), now });

describe('LayersMonitor', () => {
  it('starts in layers mode, encodes at the first layer gone, and returns only after the layers held for a while', () => {
    let now = 0;
    const changes: LayersState[] = [];
    const simulcast = source();
    const monitor = monitorOf(simulcast, changes, () => now);
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

  it('encodes when a layer keys off the boundaries, and judges the keyframes again only from the return', () => {
    let now = 0;
    const changes: LayersState[] = [];
    const simulcast = source();
    const monitor = monitorOf(simulcast, changes, () => now);
    simulcast.readings = [reading([0, 2, 4], 5), reading([0, 2, 4.1], 5)];
    monitor.sample();
    expect(changes).toEqual([{ mode: 'encode', reason: expect.stringMatching(/^the 320x180 layer: keyframes every 2\.1 s/) as string }]);

    // Encoded, only the top layer is asked on the boundaries: the lower one's keyframes are not judged.
    simulcast.readings = [reading([0, 2, 4, 6, 8], 9), reading([0, 2, 4.1, 7], 9)];
    monitor.sample();
    now += RETURN_AFTER_MS;
    monitor.sample();
    expect(changes.at(-1)?.mode).toBe('layers');
    // Back in layers mode, the run keys every layer together from its start.
    simulcast.readings = [reading([0, 2, 4, 6, 8, 10, 12], 13), reading([0, 2, 4.1, 7, 10, 12], 13)];
    monitor.sample();
    expect(changes).toHaveLength(2);
  });

  it('starts encoded when a layer is already missing at go-live', () => {
    const simulcast = source();
    simulcast.missing = 'the publisher is away';
    expect(monitorOf(simulcast, [], Date.now).state).toEqual({ mode: 'encode', reason: 'the publisher is away' });
  });
});
