import { SEGMENT_DURATION_S } from '../../../../shared/constants.js';

/** What the clock asks: a mediasoup consumer (a keyframe request reaches only its own layer of a simulcast producer). */
export interface KeyframeRequester {
  readonly closed: boolean;
  requestKeyFrame(): Promise<void>;
}

/** One complete video frame of the paced stream as it arrived: its media time (RTP timestamp) and whether it is a keyframe. */
export interface VideoFrame {
  atS: number;
  keyframe: boolean;
}

/** The paced stream's frames as they arrive (RtpMeter.onFrame). Returns how to stop listening. */
export type FrameTimeline = (listener: (frame: VideoFrame) => void) => () => void;

export interface KeyframeClockOptions {
  /** Asked together: one consumer for a single stream, every layer's for simulcast (their keyframes then share a capture time). */
  consumers: readonly KeyframeRequester[];
  /** The stream whose keyframes are put on the clock (the top layer's, for simulcast). */
  timeline: FrameTimeline;
  periodS?: number;
}

/** Until the first frames tell the rate: 30 fps. */
const DEFAULT_FRAME_S = 1 / 30;
/** Frame intervals outside this range are gaps or bursts, not the rate. */
const FRAME_S_RANGE = [0.004, 0.2] as const;

/**
 * Puts a WebRTC publisher's keyframes on the segment boundaries for the whole publish: a browser keys the
 * next frame it captures after a keyframe request (PLI) reaches it, so the request goes out when the frame
 * just before a boundary arrives, which leaves the request most of a frame's time to reach the encoder
 * before the boundary frame is captured.
 *
 * The requests are paced from the media timeline (the frames' RTP timestamps), not from a Node timer: a
 * timer's phase against the capture clock is arbitrary and drifts (a repeating timer late by a few ms each
 * time, a remote camera's clock off by some ppm), and once it crosses a frame a keyframe lands a frame off
 * its boundary; here each request is aimed at the boundary counted from the previous boundary's keyframe.
 * Keyframes between boundaries (a picture loss, the run's start) are extra and leave the clock alone, as
 * they leave the segments alone; a boundary keyframe that came late (a request delayed by the event loop)
 * starts the count again from itself, as the judge (top-rung.ts) must then.
 */
export class KeyframeClock {
  private readonly periodS: number;
  private readonly stop: () => void;
  private frameS = DEFAULT_FRAME_S;
  private lastAtS: number | undefined;
  /** The boundary keyframe the next boundary is counted from; undefined until the first keyframe. */
  private anchorS: number | undefined;
  /** The boundary a request was last sent for, and when: each boundary gets one, repeated only if a period passes without a keyframe. */
  private asked: { forS: number; atS: number } | undefined;

  constructor(private readonly o: KeyframeClockOptions) {
    this.periodS = o.periodS ?? SEGMENT_DURATION_S;
    this.stop = o.timeline((frame) => this.onFrame(frame));
  }

  /** The media time of the boundary the next keyframe is asked for; undefined until the first keyframe. */
  get nextBoundaryS(): number | undefined {
    return this.anchorS === undefined ? undefined : this.anchorS + this.periodS;
  }

  close(): void {
    this.stop();
  }

  private onFrame({ atS, keyframe }: VideoFrame): void {
    this.learnRate(atS);
    const halfFrame = this.frameS / 2;
    if (this.anchorS === undefined) {
      if (keyframe) this.anchorS = atS;
      else this.ask(Number.NaN, atS);
      return;
    }
    const boundary = this.anchorS + this.periodS;
    if (keyframe && atS >= boundary - halfFrame) {
      this.anchorS = atS;
      return;
    }
    // The next frame is the boundary's, or the boundary went by without a keyframe.
    if (atS + this.frameS >= boundary - halfFrame) this.ask(boundary, atS);
  }

  private ask(forS: number, atS: number): void {
    const again = this.asked && (this.asked.forS === forS || Number.isNaN(forS)) && atS - this.asked.atS < this.periodS;
    if (again) return;
    this.asked = { forS, atS };
    for (const consumer of this.o.consumers) {
      if (!consumer.closed) consumer.requestKeyFrame().catch(() => undefined);
    }
  }

  private learnRate(atS: number): void {
    const delta = this.lastAtS === undefined ? 0 : atS - this.lastAtS;
    if (delta > 0) this.lastAtS = atS;
    else if (this.lastAtS === undefined) this.lastAtS = atS;
    if (delta >= FRAME_S_RANGE[0] && delta <= FRAME_S_RANGE[1]) this.frameS += (delta - this.frameS) / 8;
  }
}
