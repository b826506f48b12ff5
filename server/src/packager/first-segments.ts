import type { BroadcastTimeline } from './broadcast-timeline.js';
import type { GrowingSegment } from './growing-segment.js';
import type { RunParts } from './run-parts.js';

/** The segment a rendition is writing while none of its segments is complete: the broadcast's first. */
export interface FirstSegment {
  run: number;
  number: number;
  segment: GrowingSegment;
  /** Its first part's tfdt on the run's media timeline. */
  t: number;
  timescale: number;
}

/**
 * The first segments written so far (at least one part each) of the renditions that have no complete
 * segment yet, from the newest run: LL-HLS and LL-DASH players start from the first part, a whole
 * segment before the playlists of standard players list anything.
 */
export function firstSegments(timeline: BroadcastTimeline, runs: ReadonlyMap<number, { parts: RunParts }>): Map<string, FirstSegment> {
  const index = Math.max(...runs.keys());
  const parts = runs.get(index)?.parts;
  const found = new Map<string, FirstSegment>();
  if (!parts) return found;
  for (const [id, r] of timeline.renditions) {
    const segment = parts.growing(id);
    if (r.segments.length > 0 || !segment?.decodeStart || segment.failed !== undefined || segment.parts.length === 0) continue;
    found.set(id, { run: index, number: segment.number, segment, ...segment.decodeStart });
  }
  return found;
}

/** The run FFmpeg is writing: the newest, until it ends; none between runs (while a returning publisher is awaited). */
export function writingRun(runs: ReadonlyMap<number, { ended: boolean }>): number | undefined {
  const newest = Math.max(...runs.keys());
  return runs.get(newest)?.ended === false ? newest : undefined;
}

/** Every rendition has a complete segment or the first part of one: the broadcast can be played. */
export function everyRenditionStarted(timeline: BroadcastTimeline, first: ReadonlyMap<string, FirstSegment>): boolean {
  return [...timeline.renditions.values()].every((r) => r.segments.length > 0 || first.has(r.id));
}

/**
 * Anchors a run with no complete segment yet when its first parts are seen (their end is now), as the
 * timeline anchors a run at its first complete segment, which then keeps this anchor: DASH's
 * availabilityStartTime and the PROGRAM-DATE-TIME of the first parts do not move when it completes.
 */
export function anchorAtFirstParts(timeline: BroadcastTimeline, first: ReadonlyMap<string, FirstSegment>, now: Date): void {
  for (const f of first.values()) {
    timeline.anchorRun(f.run, now, f.t / f.timescale + f.segment.parts.reduce((sum, p) => sum + p.durationS, 0));
  }
}
