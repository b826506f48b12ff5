/**
 * How much media time of arrivals is kept: a new FFmpeg run starts from the GOP node-media-server caches,
 * whose keyframe arrived at most one keyframe interval ago (encoders use 2 to 10 s).
 */
const KEPT_MS = 60_000;

interface Arrival {
  /** The frame's presentation timestamp in the publisher's clock (ms). */
  ptsMs: number;
  /** When it reached Axon (ms since the epoch). */
  wallMs: number;
}

/**
 * When each video frame of an RTMP publish reached Axon, by its presentation timestamp: what the
 * playlists' PROGRAM-DATE-TIME is anchored to. Frames come in decode order (a B-frame after the frame it
 * precedes), so each is put in place by its presentation time.
 */
export class FrameArrivals {
  private readonly arrivals: Arrival[] = [];

  record(ptsMs: number, wallMs: number): void {
    const newest = this.arrivals.at(-1);
    // A clock that jumps back by more than what is kept is a new timeline: the old one means nothing now.
    if (newest && ptsMs < newest.ptsMs - KEPT_MS) this.arrivals.length = 0;
    let i = this.arrivals.length;
    while (i > 0 && this.arrivals[i - 1]!.ptsMs > ptsMs) i--;
    this.arrivals.splice(i, 0, { ptsMs, wallMs });
    const oldest = this.arrivals.at(-1)!.ptsMs - KEPT_MS;
    let drop = 0;
    while (this.arrivals[drop]!.ptsMs < oldest) drop++;
    if (drop > 0) this.arrivals.splice(0, drop);
  }

  /**
   * When the frame presented at `ptsMs` arrived: the latest arrival at or before it, plus the media time
   * between them (the publisher sends in real time). A frame from before the first recorded one (a cached
   * GOP that was already there when recording began) is dated back from the first. Undefined before any.
   */
  wallAt(ptsMs: number): number | undefined {
    const first = this.arrivals[0];
    if (!first) return undefined;
    let lo = 0;
    let hi = this.arrivals.length - 1;
    if (ptsMs < first.ptsMs) return first.wallMs - (first.ptsMs - ptsMs);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.arrivals[mid]!.ptsMs <= ptsMs) lo = mid;
      else hi = mid - 1;
    }
    const at = this.arrivals[lo]!;
    return at.wallMs + (ptsMs - at.ptsMs);
  }
}
