import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planLadder } from '../transcode/ladder.js';
import { BroadcastTimeline, firstMediaSequence, runAnchor } from './broadcast-timeline.js';

/** What each run writes; these tests are about timing, not the rungs. */
const ladder = planLadder({ width: 320, height: 180 }, [144], 30);

const T0 = new Date('2026-11-21T10:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const video = (n: number) => ({ number: n, t: (n - 1) * 30720, d: 30720, timescale: 15360 });

describe('BroadcastTimeline', () => {
  it('anchors a run on its first segment and dates every segment from it', () => {
    const tl = new BroadcastTimeline(['0']);
    tl.addRun(1, 'b1/r1', ladder);
    tl.add(1, '0', video(1), at(2.1)); // seen 2.1 s after T0: media time 0 was at T0 + 0.1 s
    tl.add(1, '0', video(2), at(4.5));
    const [a, b] = tl.renditions.get('0')!.segments;
    expect(a!.pdt.toISOString()).toBe('2026-11-21T10:00:00.100Z');
    expect(b!.pdt.toISOString()).toBe('2026-11-21T10:00:02.100Z');
    expect(tl.isPlayable()).toBe(true);
  });

  it('is playable only once every rendition has a segment', () => {
    const tl = new BroadcastTimeline(['0', '1']);
    tl.addRun(1, 'b1/r1', ladder);
    tl.add(1, '0', video(1), at(2));
    expect(tl.isPlayable()).toBe(false);
    tl.add(1, '1', video(1), at(2));
    expect(tl.isPlayable()).toBe(true);
  });

  it('trims to the window, counting media and discontinuity sequences, and reports runs no longer used', () => {
    const tl = new BroadcastTimeline(['0']);
    tl.addRun(1, 'b1/r1', ladder);
    for (let n = 1; n <= 3; n++) tl.add(1, '0', video(n), at(2 * n));
    tl.addRun(2, 'b1/r2', ladder);
    for (let n = 1; n <= 3; n++) tl.add(2, '0', video(n), at(10 + 2 * n));
    // 6 segments of 2 s ending at T0+16 s; a 6 s window keeps those ending after T0+10 s.
    const dropped = tl.trim(6);
    expect(dropped.map((d) => `${d.segment.run}:${d.segment.number}`)).toEqual(['1:1', '1:2', '1:3']);
    const r = tl.renditions.get('0')!;
    expect(r.mediaSequence).toBe(3);
    expect(r.discontinuitySequence).toBe(1);
    expect(tl.unreferencedRuns().map((run) => run.index)).toEqual([1]);
    expect(tl.trim(6)).toEqual([]);
  });

  it('keeps at least one segment per rendition whatever the window', () => {
    const tl = new BroadcastTimeline(['0']);
    tl.addRun(1, 'b1/r1', ladder);
    tl.add(1, '0', video(1), at(2));
    expect(tl.trim(0)).toEqual([]);
    expect(tl.durationS()).toBe(2);
  });

  it('refuses segments of unknown runs or renditions', () => {
    const tl = new BroadcastTimeline(['0']);
    expect(() => tl.add(1, '0', video(1), at(2))).toThrow(/unknown run/);
    tl.addRun(1, 'b1/r1', ladder);
    expect(() => tl.add(1, '9', video(1), at(2))).toThrow(/rendition/);
  });

  it('dates each run from the arrival of the frame its media time 0 comes from, not from when FFmpeg finished', () => {
    const tl = new BroadcastTimeline(['0', '1']);
    // The frame reached Axon at T0; FFmpeg finished the 2 s segment starting with it 2.9 s later.
    tl.addRun(1, 'b1/r1', ladder, () => at(0));
    tl.add(1, '0', video(1), at(2.9));
    tl.add(1, '1', video(1), at(3.1));
    tl.add(1, '0', video(2), at(5));
    const pdts = (id: string) => tl.renditions.get(id)!.segments.map((s) => s.pdt.toISOString());
    expect(pdts('0')).toEqual(['2026-11-21T10:00:00.000Z', '2026-11-21T10:00:02.000Z']);
    expect(pdts('1')).toEqual(['2026-11-21T10:00:00.000Z']);
    // A restarted FFmpeg is a new run with its own clock: its first frame reached Axon at T0 + 10 s.
    tl.addRun(2, 'b1/r2', ladder, () => at(10));
    tl.add(2, '0', video(1), at(12.4));
    expect(tl.runs.get(2)!.anchor!.toISOString()).toBe('2026-11-21T10:00:10.000Z');
    expect(tl.runs.get(1)!.anchor!.toISOString()).toBe('2026-11-21T10:00:00.000Z');
  });

  it('never dates media time 0 later than its first segment allows, and falls back to that without an arrival', () => {
    // Seen complete at T0 + 2 s with 2 s of media: media time 0 was at T0 at the latest.
    expect(runAnchor(at(2), 2, at(-0.5)).toISOString()).toBe('2026-11-21T09:59:59.500Z');
    expect(runAnchor(at(2), 2, at(0.7)).toISOString()).toBe('2026-11-21T10:00:00.000Z');
    expect(runAnchor(at(2), 2, undefined).toISOString()).toBe('2026-11-21T10:00:00.000Z');
    const tl = new BroadcastTimeline(['0']);
    tl.addRun(1, 'b1/r1', ladder, () => undefined);
    tl.add(1, '0', video(1), at(2.1));
    expect(tl.runs.get(1)!.anchor!.toISOString()).toBe('2026-11-21T10:00:00.100Z');
  });
});

describe('firstMediaSequence', () => {
  it('starts every broadcast of a livestream above each number the one before it used', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_600_000_000_000, max: 4_000_000_000_000 }),
        // A broadcast that numbered anything lasted at least one 0.5 s part.
        fc.integer({ min: 500, max: 30 * 24 * 3600 * 1000 }),
        (startedAtMs, lastedMs) => {
          // One number per started 2 s segment: the parts of the one being written count too.
          const lastUsed = firstMediaSequence(startedAtMs) + Math.ceil(lastedMs / 2000) - 1;
          expect(firstMediaSequence(startedAtMs + lastedMs)).toBeGreaterThan(lastUsed);
        },
      ),
    );
  });
});
