import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import { mediaSegmentName, renditionPlaylists } from '../media/media-layout.js';
import type { Ladder } from '../transcode/ladder.js';
import { partDurationS } from '../transcode/part-duration.js';
import { type BroadcastTimeline, segmentEnd } from './broadcast-timeline.js';
import { announcedSegmentNumbers } from './dash-manifest.js';
import type { FirstSegment } from './first-segments.js';
import type { GrowingSegment } from './growing-segment.js';
import { renderMediaPlaylist } from './hls-playlist.js';
import type { EdgePlaylist, EdgePosition } from './live-edge.js';
import type { RenditionReport } from './ll-hls-tags.js';
import type { RunParts } from './run-parts.js';

/** AAC frames are 1024 samples. */
const AAC_FRAME_SAMPLES = 1024;

/**
 * PART-TARGET: a video part is a whole number of frames; FFmpeg closes an audio fragment at the first
 * AAC frame past the part duration, so audio parts run up to one frame longer.
 */
export function partTargetS(ladder: Ladder): number {
  const video = partDurationS(ladder.rungs[0]!.fps);
  return Math.ceil((video + AAC_FRAME_SAMPLES / ladder.audio.sampleRate) * 1000) / 1000;
}

interface RenditionEdge {
  name: string;
  rendition: string;
  growing: { run: number; segment: GrowingSegment; pdt: Date } | undefined;
  growingPath: string | undefined;
  /** The segments after the last complete one that the DASH manifest announces and FFmpeg has not started. */
  upcomingPaths: string[];
  position: EdgePosition;
}

/** Where a rendition is written: after its last complete segment, or in its first one (`first`). */
function renditionEdge(
  timeline: BroadcastTimeline,
  name: string,
  rendition: string,
  first: FirstSegment | undefined,
  partsOfRun: (run: number) => RunParts | undefined,
): RenditionEdge | undefined {
  const r = timeline.renditions.get(rendition);
  const last = r?.segments.at(-1);
  if (!r) return undefined;
  if (!last) {
    const anchor = first && timeline.runs.get(first.run)?.anchor;
    if (!first || !anchor) return undefined;
    const dir = timeline.runs.get(first.run)!.dir;
    const growing = { run: first.run, segment: first.segment, pdt: new Date(anchor.getTime() + (first.t / first.timescale) * 1000) };
    const position = { lastMsn: r.mediaSequence, lastPart: first.segment.parts.length - 1, completeMsn: r.mediaSequence - 1 };
    const upcomingPaths = announcedSegmentNumbers(first.segment.number)
      .filter((n) => n !== first.segment.number)
      .map((n) => `${dir}/${mediaSegmentName(rendition, n)}`);
    return { name, rendition, growing, growingPath: `${dir}/${mediaSegmentName(rendition, first.segment.number)}`, upcomingPaths, position };
  }
  const parts = partsOfRun(last.run);
  const next = parts?.growing(rendition);
  // Only the segment right after the last complete one; a restarted run shows parts from its second segment on.
  const segment = next && next.number === last.number + 1 && next.failed === undefined ? next : undefined;
  const completeMsn = r.mediaSequence + r.segments.length - 1;
  const lastParts = parts?.partsOf(rendition, last.number);
  const position: EdgePosition = segment?.parts.length
    ? { lastMsn: completeMsn + 1, lastPart: segment.parts.length - 1, completeMsn }
    : { lastMsn: completeMsn, lastPart: lastParts ? lastParts.length - 1 : undefined, completeMsn };
  const dir = timeline.runs.get(last.run)!.dir;
  const growing = segment && { run: last.run, segment, pdt: new Date(segmentEnd(last)) };
  // While the run writes (next), the DASH manifest announces the segments after the last complete one; one may be growing.
  const upcoming = next ? announcedSegmentNumbers(last.number + 1).filter((n) => n !== segment?.number) : [];
  const upcomingPaths = upcoming.map((n) => `${dir}/${mediaSegmentName(rendition, n)}`);
  return { name, rendition, growing, growingPath: segment && `${dir}/${mediaSegmentName(rendition, segment.number)}`, upcomingPaths, position };
}

/**
 * Every rendition's LL-HLS playlist (whole and delta), the segments being written and the ones announced
 * after them (upcoming), from the timeline of complete segments, the parts of the run that writes now and,
 * before a rendition has a complete segment, the parts of its first (`first`).
 */
export function renderLiveEdge(
  timeline: BroadcastTimeline,
  ladder: Ladder,
  partsOfRun: (run: number) => RunParts | undefined,
  first: ReadonlyMap<string, FirstSegment> = new Map(),
): { playlists: Map<string, EdgePlaylist>; segments: Map<string, GrowingSegment>; upcoming: Set<string> } {
  const edges: RenditionEdge[] = [];
  for (const { rendition, name } of renditionPlaylists(ladder)) {
    const e = renditionEdge(timeline, name, rendition, first.get(rendition), partsOfRun);
    if (e) edges.push(e);
  }

  const target = partTargetS(ladder);
  const playlists = new Map<string, EdgePlaylist>();
  const segments = new Map<string, GrowingSegment>();
  const upcoming = new Set(edges.flatMap((e) => e.upcomingPaths));
  for (const e of edges) {
    const reports: RenditionReport[] = edges.filter((o) => o !== e).map((o) => ({ uri: o.name, ...o.position }));
    const render = (skip: boolean) =>
      renderMediaPlaylist(timeline.renditions.get(e.rendition)!, timeline.runs, {
        ended: false,
        lowLatency: {
          partTargetS: target,
          partsOf: (run, number) => partsOfRun(run)?.partsOf(e.rendition, number),
          growing: e.growing && { run: e.growing.run, number: e.growing.segment.number, parts: [...e.growing.segment.parts], pdt: e.growing.pdt },
          reports,
          skip,
        },
      });
    const listsSegment = e.position.completeMsn >= timeline.renditions.get(e.rendition)!.mediaSequence;
    playlists.set(e.name, { full: render(false), delta: render(true), position: e.position, targetDurationS: SEGMENT_DURATION_S, partTargetS: target, listsSegment });
    if (e.growing && e.growingPath) segments.set(e.growingPath, e.growing.segment);
  }
  return { playlists, segments, upcoming };
}
