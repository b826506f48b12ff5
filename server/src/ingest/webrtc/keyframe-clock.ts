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
  /**
   * Asked together: one consumer for a single stream, every layer's for simulcast (their keyframes then
   * share a capture time). More can be attached later (attach()).
   */
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
 *
 * The grid starts at the first keyframe once there is a consumer to ask, and carries on while consumers
 * come and go (attach()): each FFmpeg run of a publish has its own, and untilBoundary() lets a new run
 * start on the grid the judge has been watching rather than on a keyframe of its own.
 */
export class KeyframeClock {
  private readonly periodS: number;
  private readonly stop: () => void;
  private readonly consumers = new Set<readonly KeyframeRequester[]>();
  private boundaryWaiters: Array<() => void> = [];
  private frameS = DEFAULT_FRAME_S;
  private lastAtS: number | undefined;
  /** The boundary keyframe the next boundary is counted from; undefined until the first keyframe. */
  private anchorS: number | undefined;
  /** The boundary a request was last sent for, and when: each boundary gets one, repeated only if a period passes without a keyframe. */
  private asked: { forS: number; atS: number } | undefined;

  constructor(o: KeyframeClockOptions) {
    this.periodS = o.periodS ?? SEGMENT_DURATION_S;
    if (o.consumers.length > 0) this.consumers.add(o.consumers);
    this.stop = o.timeline((frame) => this.onFrame(frame));
  }

  /** Whether the grid has started: keyframes are being put on it. */
  get running(): boolean {
    return this.anchorS !== undefined;
  }

  /** The media time of the boundary the next keyframe is asked for; undefined until the first keyframe. */
  get nextBoundaryS(): number | undefined {
    return this.anchorS === undefined ? undefined : this.anchorS + this.periodS;
  }

  /** Asks these consumers too from now on, until the returned function is called. */
  attach(consumers: readonly KeyframeRequester[]): () => void {
    this.consumers.add(consumers);
    return () => this.consumers.delete(consumers);
  }

  /**
   * Resolves when the frame before the next boundary has arrived, which is when a consumer resumed
   * (mediasoup then asks for a keyframe) gets the boundary's keyframe; at once while the grid has not
   * started; after a period at the latest, should frames stop.
   */
  untilBoundary(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.periodS * 1000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.boundaryWaiters.push(done);
    });
  }

  close(): void {
    this.stop();
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.boundaryWaiters;
    this.boundaryWaiters = [];
    for (const done of waiters) done();
  }

  private onFrame({ atS, keyframe }: VideoFrame): void {
    this.learnRate(atS);
    const halfFrame = this.frameS / 2;
    if (this.consumers.size === 0 && this.anchorS === undefined) return;
    if (this.anchorS === undefined) {
      if (keyframe) this.anchorS = atS;
      else this.ask(Number.NaN, atS);
      return;
    }
    let boundary = this.anchorS + this.periodS;
    // While no run reads the publish nobody is asked, and the grid goes on by itself for the next run.
    for (; this.consumers.size === 0 && atS >= boundary + halfFrame; boundary += this.periodS) this.anchorS = boundary;
    if (keyframe && atS >= boundary - halfFrame) {
      this.anchorS = atS;
      return;
    }
    // The next frame is the boundary's, or the boundary went by without a keyframe.
    if (atS + this.frameS >= boundary - halfFrame) {
      this.releaseWaiters();
      this.ask(boundary, atS);
    }
  }

  private ask(forS: number, atS: number): void {
    const again = this.asked && (this.asked.forS === forS || Number.isNaN(forS)) && atS - this.asked.atS < this.periodS;
    if (again || this.consumers.size === 0) return;
    this.asked = { forS, atS };
    for (const consumer of [...this.consumers].flat()) {
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
