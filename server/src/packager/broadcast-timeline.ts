import type { Ladder } from '../transcode/ladder.js';

/** A CMAF segment of one rendition, addressed by the FFmpeg run that wrote it. */
export interface TimelineSegment {
  run: number;
  /** FFmpeg's segment number within the run ($Number$). */
  number: number;
  /** Start and duration in the rendition's timescale, as in the segment's tfdt. */
  t: number;
  d: number;
  timescale: number;
  /** Wall-clock time of the segment's first frame. */
  pdt: Date;
}

export interface RunInfo {
  index: number;
  /** Directory of the run relative to the livestream's media root, e.g. "b-abc/r1". */
  dir: string;
  /**
   * Wall-clock time of the run's media time 0, fixed when its first segment appears: when the frame it
   * comes from reached Axon (see runAnchor).
   */
  anchor: Date | null;
  /**
   * The rungs and audio as this run writes them (a copied stream's codec and size, or the encoder's), which
   * its DASH period declares: the next run may write others (a mode change), and a player sets its decoder
   * up from the period's codecs. Updated in place while the run is written (a copied rung's measured bitrate).
   */
  ladder: Ladder;
}

/** When the frame a run's media time 0 comes from reached Axon; undefined when the ingest cannot tell. */
export type OriginArrival = () => Date | undefined;

export interface RenditionTimeline {
  /** FFmpeg representation id (= output stream index). */
  id: string;
  segments: TimelineSegment[];
  /** HLS media sequence number of segments[0]. */
  mediaSequence: number;
  /** Number of run boundaries before segments[0]. */
  discontinuitySequence: number;
}

export const durationS = (s: TimelineSegment) => s.d / s.timescale;

/**
 * The media sequence number a live broadcast starts at: its start in tenths of a second since the epoch.
 * A livestream's playlists keep their URLs from one broadcast to the next, and browsers and edges keep
 * answers to blocking requests (`?_HLS_msn=N&_HLS_part=P`) for seconds, so numbering every broadcast from 0
 * gave one URL two meanings: a player joining the next broadcast was served the previous one's playlist
 * from its cache (seen as hls.js stuck on a media sequence mismatch). Counted from the start time, the
 * numbers keep rising across broadcasts and nodes (RFC 8216 6.2.1: a playlist's media sequence number never
 * decreases) with nothing stored: a broadcast adds one number per 2 s segment, its successor starts 10 later
 * for every second it lasted.
 */
export const firstMediaSequence = (startedAtMs: number) => Math.floor(startedAtMs / 100);
export const segmentEnd = (s: TimelineSegment) => s.pdt.getTime() + (s.d / s.timescale) * 1000;

/** A run's own copy of the ladder as it is now (RunInfo.ladder). */
export const runLadder = (ladder: Ladder): Ladder => ({ rungs: ladder.rungs.map((r) => ({ ...r })), audio: { ...ladder.audio } });

/**
 * The wall-clock time of a run's media time 0, from its first complete segment (ending at `endS` of media
 * time, seen complete at `seenAt`) and the arrival of the frame FFmpeg started from. The arrival is the
 * truth a player's latency readout needs: dating the run from the segment's completion would add FFmpeg's
 * probe, encode and muxing delay to every PROGRAM-DATE-TIME. Media time 0 cannot have arrived later than
 * the segment's completion less its media time, though: a later arrival (a publisher that sent faster than
 * real time, a source with no arrival to tell) falls back to that bound.
 */
export function runAnchor(seenAt: Date, endS: number, arrival: Date | undefined): Date {
  const latest = seenAt.getTime() - endS * 1000;
  return new Date(arrival === undefined ? latest : Math.min(arrival.getTime(), latest));
}

/**
 * Every rendition's segments of one broadcast across FFmpeg runs (a restarted FFmpeg starts a new run:
 * a discontinuity), windowed to the DVR window. Pure bookkeeping: no I/O.
 */
export class BroadcastTimeline {
  readonly runs = new Map<number, RunInfo>();
  readonly renditions = new Map<string, RenditionTimeline>();
  /** Run indices that have contributed segments, in order (for discontinuity counting). */
  private readonly runOrder: number[] = [];
  private readonly origins = new Map<number, OriginArrival>();

  /** `mediaSequence`: the number of the first segment (0 for a recording, firstMediaSequence live). */
  constructor(
    readonly renditionIds: readonly string[],
    mediaSequence = 0,
  ) {
    for (const id of renditionIds) {
      this.renditions.set(id, { id, segments: [], mediaSequence, discontinuitySequence: 0 });
    }
  }

  /** `ladder` is the run's own object: whoever writes the run keeps it up to date (see RunInfo.ladder). */
  addRun(index: number, dir: string, ladder: Ladder, originArrival?: OriginArrival): void {
    this.runs.set(index, { index, dir, anchor: null, ladder });
    if (originArrival) this.origins.set(index, originArrival);
  }

  /** The run's rungs as they are now, while it is written: in place, so every timeline sharing the run's ladder sees them. */
  describeRun(index: number, ladder: Ladder): void {
    const info = this.runs.get(index);
    if (info) Object.assign(info.ladder, runLadder(ladder));
  }

  /**
   * Appends a completed segment of `run`. `now` is when it was seen complete: the run's first segment
   * fixes the run's wall-clock anchor (runAnchor).
   */
  add(run: number, rendition: string, s: Pick<TimelineSegment, 'number' | 't' | 'd' | 'timescale'>, now: Date): void {
    const info = this.runs.get(run);
    const timeline = this.renditions.get(rendition);
    if (!info || !timeline) throw new Error(`unknown run ${run} or rendition ${rendition}`);
    const anchor = this.anchorRun(run, now, (s.t + s.d) / s.timescale)!;
    if (!this.runOrder.includes(run)) this.runOrder.push(run);
    timeline.segments.push({ ...s, run, pdt: new Date(anchor.getTime() + (s.t / s.timescale) * 1000) });
  }

  /**
   * Fixes a run's anchor (runAnchor) the first time media of it is seen complete, ending at `endS` of media
   * time, `seenAt`: its first segment, or its first parts when the broadcast goes live from them.
   */
  anchorRun(run: number, seenAt: Date, endS: number): Date | undefined {
    const info = this.runs.get(run);
    if (info && !info.anchor) {
      info.anchor = runAnchor(seenAt, endS, this.origins.get(run)?.());
      this.origins.delete(run);
    }
    return info?.anchor ?? undefined;
  }

  /** True once every rendition has at least one segment: the broadcast is playable. */
  isPlayable(): boolean {
    return [...this.renditions.values()].every((r) => r.segments.length > 0);
  }

  /**
   * Drops segments that ended more than `windowS` before the newest segment's end, keeping at least
   * one per rendition. Returns the dropped segments with their rendition id, for deletion.
   */
  trim(windowS: number): Array<{ rendition: string; segment: TimelineSegment }> {
    const newestEnd = Math.max(...[...this.renditions.values()].map((r) => (r.segments.length ? segmentEnd(r.segments.at(-1)!) : 0)));
    const dropped: Array<{ rendition: string; segment: TimelineSegment }> = [];
    for (const r of this.renditions.values()) {
      while (r.segments.length > 1 && segmentEnd(r.segments[0]!) <= newestEnd - windowS * 1000) {
        const gone = r.segments.shift()!;
        r.mediaSequence += 1;
        if (r.segments[0]!.run !== gone.run) r.discontinuitySequence += 1;
        dropped.push({ rendition: r.id, segment: gone });
      }
    }
    return dropped;
  }

  /** Runs that no rendition references any more. */
  unreferencedRuns(): RunInfo[] {
    const used = new Set<number>();
    for (const r of this.renditions.values()) for (const s of r.segments) used.add(s.run);
    return [...this.runs.values()].filter((run) => !used.has(run.index) && this.runOrder.includes(run.index));
  }

  /** Total duration in seconds of the longest rendition. */
  durationS(): number {
    return Math.max(0, ...[...this.renditions.values()].map((r) => r.segments.reduce((sum, s) => sum + durationS(s), 0)));
  }
}
