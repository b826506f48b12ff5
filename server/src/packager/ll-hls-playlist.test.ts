import HLS from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { planLadder } from '../transcode/ladder.js';
import { BroadcastTimeline } from './broadcast-timeline.js';
import type { Part } from './growing-segment.js';
import { renderMediaPlaylist } from './hls-playlist.js';
import { CAN_SKIP_UNTIL_S, type LowLatencyView, partHoldBackS } from './ll-hls-tags.js';

/** What each run writes; these tests are about timing, not the rungs. */
const ladder = planLadder({ width: 320, height: 180 }, [144], 30);

const T0 = new Date('2026-11-21T10:00:00.000Z');
const PART_TARGET = 0.522;
/** Four 0.5 s parts of a 2 s segment at 15360 Hz, the first one a keyframe. */
const fourParts: Part[] = [0, 1, 2, 3].map((i) => ({ offset: i * 1000, length: 1000, durationS: 0.5, independent: i === 0 }));

/** `count` complete 2 s segments of rendition 0 in run 1. */
function timeline(count: number): BroadcastTimeline {
  const tl = new BroadcastTimeline(['0', '1']);
  tl.addRun(1, 'b1/r1', ladder);
  for (let n = 1; n <= count; n++) tl.add(1, '0', { number: n, t: (n - 1) * 30720, d: 30720, timescale: 15360 }, new Date(T0.getTime() + n * 2000));
  return tl;
}

function view(o: Partial<LowLatencyView> = {}): LowLatencyView {
  return {
    partTargetS: PART_TARGET,
    partsOf: () => fourParts,
    growing: { run: 1, number: 11, parts: fourParts.slice(0, 2), pdt: new Date(T0.getTime() + 20_000) },
    reports: [{ uri: 'audio.m3u8', lastMsn: 10, lastPart: 1 }],
    skip: false,
    ...o,
  };
}

const render = (count: number, lowLatency: LowLatencyView, ended = false) => {
  const tl = timeline(count);
  return renderMediaPlaylist(tl.renditions.get('0')!, tl.runs, { ended, lowLatency });
};

describe('LL-HLS media playlists', () => {
  it('holds back at least three parts and can block and skip, as hls-parser reads it', () => {
    const text = render(10, view());
    const parsed = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(parsed.partTargetDuration).toBe(PART_TARGET);
    expect(parsed.lowLatencyCompatibility).toEqual({ canBlockReload: true, canSkipUntil: CAN_SKIP_UNTIL_S, holdBack: undefined, partHoldBack: partHoldBackS(PART_TARGET) });
    expect(partHoldBackS(PART_TARGET)).toBeGreaterThanOrEqual(3 * PART_TARGET);
    expect(CAN_SKIP_UNTIL_S).toBeGreaterThanOrEqual(6 * parsed.targetDuration);
    expect(parsed.version).toBe(9);
  });

  it('lists parts only for the newest segments, adding up to each, independent where a keyframe starts them', () => {
    const parsed = HLS.parse(render(10, view())) as HLS.types.MediaPlaylist;
    const withParts = parsed.segments.filter((s) => s.parts.length > 0);
    // Two complete segments and the one being written: parts span at most 3 target durations.
    expect(withParts.map((s) => s.mediaSequenceNumber)).toEqual([8, 9, 10]);
    for (const s of withParts.slice(0, 2)) {
      expect(s.parts.reduce((a, p) => a + (p.duration ?? 0), 0)).toBeCloseTo(s.duration, 6);
      expect(s.parts.map((p) => p.independent === true)).toEqual([true, false, false, false]);
      expect(s.parts.map((p) => p.byterange)).toEqual(fourParts.map((p) => ({ offset: p.offset, length: p.length })));
    }
  });

  it('names the next part in the preload hint: the growing segment from where its parts end', () => {
    const text = render(10, view());
    expect(text).toContain('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="b1/r1/seg-0-00011.m4s",BYTERANGE-START=2000\n');
    const parsed = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(parsed.prefetchSegments.length + parsed.segments.at(-1)!.parts.length).toBeGreaterThan(0);
    // Before the first part of the next segment is written, the hint is its start.
    expect(render(10, view({ growing: { run: 1, number: 11, parts: [], pdt: new Date(T0.getTime() + 20_000) } }))).toContain('URI="b1/r1/seg-0-00011.m4s",BYTERANGE-START=0\n');
  });

  it('reports where the other renditions are', () => {
    const parsed = HLS.parse(render(10, view())) as HLS.types.MediaPlaylist;
    expect(parsed.renditionReports).toEqual([expect.objectContaining({ uri: 'audio.m3u8', lastMSN: 10, lastPart: 1 })]);
  });

  it('leaves out what is older than the skip boundary in a delta update, and restates the map after it', () => {
    const full = HLS.parse(render(10, view())) as HLS.types.MediaPlaylist;
    const text = render(10, view({ skip: true }));
    const delta = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(delta.skip).toBe(10 - CAN_SKIP_UNTIL_S / 2);
    const listed = delta.segments.filter((s) => s.duration > 0);
    expect(listed.reduce((a, s) => a + s.duration, 0)).toBeGreaterThanOrEqual(CAN_SKIP_UNTIL_S);
    expect(listed.at(-1)!.uri).toBe(full.segments.filter((s) => s.duration > 0).at(-1)!.uri);
    expect(text.split('\n').filter((l) => l.startsWith('#EXT-X-MAP'))).toHaveLength(1);
    expect(text.indexOf('#EXT-X-SKIP')).toBeLessThan(text.indexOf('#EXT-X-MAP'));
    // Nothing to skip in a short playlist.
    expect(render(4, view({ skip: true }))).not.toContain('#EXT-X-SKIP');
  });

  it('drops every low-latency tag once the broadcast has ended', () => {
    const text = render(10, view(), true);
    expect(text).not.toMatch(/#EXT-X-(PART|PRELOAD-HINT|SERVER-CONTROL|RENDITION-REPORT|PART-INF)/);
    expect(text).toContain('#EXT-X-ENDLIST');
  });

  it('lists the first parts alone, with their map and date, before the first segment is complete', () => {
    const text = render(0, view({ growing: { run: 1, number: 1, parts: fourParts.slice(0, 1), pdt: T0 } }));
    const parsed = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(parsed.mediaSequenceBase).toBe(0);
    expect(parsed.segments.filter((s) => s.duration > 0)).toEqual([]);
    expect(text).toContain('#EXT-X-MAP:URI="b1/r1/init-0.m4s"\n#EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:00.000Z\n');
    expect(text).toContain('#EXT-X-PART:DURATION=0.5,URI="b1/r1/seg-0-00001.m4s",BYTERANGE="1000@0",INDEPENDENT=YES\n');
    expect(text).toContain('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="b1/r1/seg-0-00001.m4s",BYTERANGE-START=1000\n');
  });
});
