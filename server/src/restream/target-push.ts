import type { RestreamFailure, RestreamStatus } from '../../../shared/restream.js';
import type { Logger } from '../log.js';
import type { FfmpegProgress } from '../transcode/ffmpeg-progress.js';
import { buildPushArgs, destinationUrl } from './push-args.js';
import { classifyPushFailure, isFinalFailure } from './push-failure.js';
import type { PushInput } from './push-input.js';
import { PushRun } from './push-run.js';

export interface PushBackoff {
  baseMs: number;
  maxMs: number;
  /** A target that has not been live in this broadcast is given up after this many failed pushes in a row. */
  attemptsBeforeLive: number;
}

/** After the source ended: a short breath, so that a source that ends at once cannot spin FFmpeg in a loop. */
const SOURCE_ENDED_PAUSE_MS = 250;

/** The bitrate out is measured over this long: two segments of a rung. */
const BITRATE_WINDOW_MS = 4000;

export const DEFAULT_PUSH_BACKOFF: PushBackoff = { baseMs: 1000, maxMs: 30_000, attemptsBeforeLive: 5 };

export interface TargetPushOptions {
  url: string;
  streamKey: string;
  /** A fresh input for each push; rejects once the broadcast has no more source. */
  openInput(): Promise<PushInput>;
  ffmpegPath: string;
  caFile: string | undefined;
  log: Logger;
  /** Called on every change of status (webhooks, tests). */
  onStatus(status: RestreamStatus, reason: RestreamFailure | null): void;
  backoff?: PushBackoff;
}

/** A push as the API shows it. */
export interface PushState {
  status: RestreamStatus;
  reason: RestreamFailure | null;
  bitrateOut: number | null;
  uptimeS: number | null;
}

/**
 * One target of one broadcast: pushes it with one FFmpeg at a time for as long as the broadcast lasts.
 * When the source ends (an RTMP publisher dropped, a new transcoder run) the next push waits for the
 * source and starts at once; after a failure it starts after a growing pause. A refused key or a failed
 * certificate check, or a target that never went live in several attempts, is given up (`failed`).
 */
export class TargetPush {
  private state: PushState = { status: 'connecting', reason: null, bitrateOut: null, uptimeS: null };
  private run: PushRun | null = null;
  private liveSince: number | null = null;
  /** FFmpeg's byte counts of the last few seconds: a rung arrives a segment at a time, so one second alone says little. */
  private written: Array<{ at: number; bytes: number }> = [];
  private failuresInARow = 0;
  private everLive = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  /** Ends the pause between two pushes early (stop). */
  private wake: (() => void) | null = null;
  private loop: Promise<void> = Promise.resolve();
  /** Pushes that ended with an error in this broadcast (for /metrics). */
  failures = 0;

  constructor(private readonly o: TargetPushOptions) {}

  get view(): PushState {
    const uptimeS = this.liveSince === null ? null : Math.round((Date.now() - this.liveSince) / 1000);
    return { ...this.state, uptimeS };
  }

  get pid(): number | undefined {
    return this.run?.pid;
  }

  start(): void {
    this.o.onStatus('connecting', null);
    this.loop = this.pushWhileLive();
  }

  /** Ends the push (its FFmpeg flushes and disconnects) and any pending retry. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.run?.stop();
    await this.loop;
  }

  private async pushWhileLive(): Promise<void> {
    for (;;) {
      const pauseMs = await this.push();
      if (pauseMs === null || this.stopping) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, pauseMs);
      });
      this.wake = null;
    }
  }

  /** One push, from opening the source to FFmpeg's exit: how long to pause before the next, or null for none. */
  private async push(): Promise<number | null> {
    let input: PushInput;
    try {
      input = await this.o.openInput();
    } catch (err) {
      if (!this.stopping) this.o.log.info('the broadcast has no more source to push', { reason: (err as Error).message });
      return null;
    }
    if (this.stopping) {
      await input.close();
      return null;
    }
    const destination = destinationUrl(this.o.url, this.o.streamKey);
    const run = new PushRun({
      ffmpegPath: this.o.ffmpegPath,
      args: buildPushArgs({ input, destination, caFile: this.o.caFile }),
      input,
      secret: this.o.streamKey,
      log: this.o.log,
      onLive: () => this.wentLive(),
      onProgress: (p) => this.measure(p),
    });
    this.run = run;
    await run.start().catch((err: unknown) => {
      this.o.log.warn('the push input did not start', { err });
      void run.stop();
    });
    const exit = await run.exited;
    await run.stop();
    this.run = null;
    this.liveSince = null;
    this.written = [];
    if (this.stopping) return null;
    if (exit.code === 0) {
      // The source ended, not the destination: the next push waits for the source to return.
      this.set('connecting', null);
      return SOURCE_ENDED_PAUSE_MS;
    }
    this.failures++;
    const failure = classifyPushFailure(exit.stderrTail, exit.wasLive, `exit ${exit.code ?? exit.signal}`);
    if (exit.wasLive) this.failuresInARow = 0;
    this.failuresInARow++;
    const givenUp = isFinalFailure(failure) || (!this.everLive && this.failuresInARow >= this.backoff.attemptsBeforeLive);
    this.o.log.warn(givenUp ? 'push failed; giving up for this broadcast' : 'push failed; retrying', { reason: failure.code, message: failure.message });
    if (givenUp) {
      this.set('failed', failure);
      return null;
    }
    this.set('retrying', failure);
    return Math.min(this.backoff.baseMs * 2 ** (this.failuresInARow - 1), this.backoff.maxMs);
  }

  private get backoff(): PushBackoff {
    return this.o.backoff ?? DEFAULT_PUSH_BACKOFF;
  }

  private wentLive(): void {
    this.liveSince = Date.now();
    this.everLive = true;
    this.o.log.info('push is live');
    this.set('live', null);
  }

  private measure(p: FfmpegProgress): void {
    const now = Date.now();
    this.written.push({ at: now, bytes: p.totalSize });
    while (this.written.length > 2 && this.written[1]!.at <= now - BITRATE_WINDOW_MS) this.written.shift();
    const first = this.written[0]!;
    if (now <= first.at || this.state.status !== 'live') return;
    this.state = { ...this.state, bitrateOut: Math.round(((p.totalSize - first.bytes) * 8 * 1000) / (now - first.at)) };
  }

  private set(status: RestreamStatus, reason: RestreamFailure | null): void {
    this.state = { status, reason, bitrateOut: null, uptimeS: null };
    this.o.onStatus(status, reason);
  }
}
