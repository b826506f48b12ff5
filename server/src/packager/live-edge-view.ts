import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import { mediaSegmentName, renditionPlaylists } from '../media/media-layout.js';
import type { Ladder } from '../transcode/ladder.js';
import { partDurationS } from '../transcode/part-duration.js';
import type { BroadcastTimeline } from './broadcast-timeline.js';
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
  growing: GrowingSegment | undefined;
  growingPath: string | undefined;
  position: EdgePosition;
}

/**
 * Every rendition's LL-HLS playlist (whole and delta) and the segments being written, from the
 * timeline of complete segments and the parts of the run that writes now.
 */
export function renderLiveEdge(
  timeline: BroadcastTimeline,
  ladder: Ladder,
  partsOfRun: (run: number) => RunParts | undefined,
): { playlists: Map<string, EdgePlaylist>; segments: Map<string, GrowingSegment> } {
  const edges: RenditionEdge[] = [];
  for (const { rendition, name } of renditionPlaylists(ladder)) {
    const r = timeline.renditions.get(rendition);
    const last = r?.segments.at(-1);
    if (!r || !last) continue;
    const parts = partsOfRun(last.run);
    const next = parts?.growing(rendition);
    // Only the segment right after the last complete one; a restarted run shows parts from its second segment on.
    const growing = next && next.number === last.number + 1 && next.failed === undefined ? next : undefined;
    const completeMsn = r.mediaSequence + r.segments.length - 1;
    const lastParts = parts?.partsOf(rendition, last.number);
    const position: EdgePosition = growing?.parts.length
      ? { lastMsn: completeMsn + 1, lastPart: growing.parts.length - 1, completeMsn }
      : { lastMsn: completeMsn, lastPart: lastParts ? lastParts.length - 1 : undefined, completeMsn };
    const dir = timeline.runs.get(last.run)!.dir;
    edges.push({ name, rendition, growing, growingPath: growing && `${dir}/${mediaSegmentName(rendition, growing.number)}`, position });
  }

  const target = partTargetS(ladder);
  const playlists = new Map<string, EdgePlaylist>();
  const segments = new Map<string, GrowingSegment>();
  for (const e of edges) {
    const reports: RenditionReport[] = edges.filter((o) => o !== e).map((o) => ({ uri: o.name, ...o.position }));
    const render = (skip: boolean) =>
      renderMediaPlaylist(timeline.renditions.get(e.rendition)!, timeline.runs, {
        ended: false,
        lowLatency: {
          partTargetS: target,
          partsOf: (run, number) => partsOfRun(run)?.partsOf(e.rendition, number),
          growing: e.growing && { number: e.growing.number, parts: [...e.growing.parts] },
          reports,
          skip,
        },
      });
    playlists.set(e.name, { full: render(false), delta: render(true), position: e.position, targetDurationS: SEGMENT_DURATION_S, partTargetS: target });
    if (e.growing && e.growingPath) segments.set(e.growingPath, e.growing);
  }
  return { playlists, segments };
}
