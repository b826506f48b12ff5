import { Ending } from '../../ending.js';
import type { Logger } from '../../log.js';
import type { IngestSource, MediaInput, SourceVideo } from '../../session/ingest.js';
import type { IngestMeter } from '../../session/ingest-health.js';
import { FlvMeter } from './flv-meter.js';
import { FlvPipeInput } from './flv-pipe-input.js';
import type { RtmpPublish } from './rtmp-connection.js';

export interface RtmpIngestOptions {
  /** The first publisher's picture: the ladder is planned from it and kept across reconnects. */
  video: SourceVideo;
  /** How long the broadcast waits for a dropped publisher; 0 ends it at once. */
  reconnectWindowS: number;
  log: Logger;
}

interface Publisher {
  publish: RtmpPublish;
  hasAudio: boolean;
  meter: FlvMeter;
}

interface Waiter {
  resolve(input: MediaInput): void;
  reject(err: Error): void;
}

/**
 * A broadcast published over RTMP. It outlives a dropped connection by the reconnect window: the running
 * FFmpeg reaches the end of its input and exits, the transcoder's next openInput() waits here, and a
 * returning publisher (attach) lets it continue as a new run, which the packager marks as a discontinuity.
 */
export class RtmpIngest implements IngestSource {
  readonly protocol = 'rtmp';
  readonly video: SourceVideo;
  private publisher: Publisher | undefined;
  /** The latest publisher's: a returning publisher is measured afresh. */
  private flvMeter = new FlvMeter();
  readonly meter: IngestMeter = { read: () => this.flvMeter.read() };
  private claimed = false;
  private readonly waiters = new Set<Waiter>();
  private readonly ending = new Ending();
  readonly ended = this.ending.promise;
  private endReason: string | undefined;
  private windowTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    first: RtmpPublish,
    hasAudio: boolean,
    private readonly o: RtmpIngestOptions,
  ) {
    this.video = { ...o.video };
    this.attach(first, hasAudio);
  }

  /** Whether the broadcast is over: it takes no publisher any more. */
  get over(): boolean {
    return this.closed || this.endReason !== undefined;
  }

  /**
   * Holds the broadcast for a returning publisher while its stream is probed. False when a publisher is
   * already on it (or holds it) or the broadcast is over.
   */
  claim(): boolean {
    if (this.over || this.publisher || this.claimed) return false;
    this.claimed = true;
    return true;
  }

  /**
   * Drops the publisher on the broadcast if it has sent nothing for `silentForMs`, as if it had disconnected,
   * so that a returning publisher can claim the broadcast. An encoder whose network died reconnects on a new
   * connection while its old one, never closed, would hold the broadcast until the server's idle timeout.
   * True when it dropped one. Without a reconnect window there is nothing to return to: it never drops.
   */
  displaceSilentPublisher(silentForMs: number): boolean {
    const current = this.publisher;
    if (!current || this.over || this.o.reconnectWindowS === 0 || current.publish.silentForMs < silentForMs) return false;
    this.dropped(current);
    current.publish.close();
    return true;
  }

  /** Gives up a claim whose publisher was refused or left. */
  unclaim(): void {
    this.claimed = false;
  }

  /** Continues the broadcast from this publish. */
  attach(publish: RtmpPublish, hasAudio: boolean): void {
    if (this.over) {
      publish.close();
      return;
    }
    this.claimed = false;
    clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    const meter = new FlvMeter();
    const publisher = { publish, hasAudio, meter };
    this.publisher = publisher;
    this.flvMeter = meter;
    // A subscription starts with the cached tags, handed over before subscribe() returns: they arrived
    // earlier, at a time only the later tags tell.
    let live = false;
    publish.subscribe((tag) => meter.push(tag, live ? Date.now() : undefined));
    live = true;
    publish.onClose(() => this.dropped(publisher));
    for (const waiter of this.waiters) waiter.resolve(this.newInput(publisher));
    this.waiters.clear();
  }

  openInput(): Promise<MediaInput> {
    if (this.over) return Promise.reject(new Error(this.endReason ?? 'the RTMP ingest is closed'));
    if (this.publisher) return Promise.resolve(this.newInput(this.publisher));
    return new Promise((resolve, reject) => this.waiters.add({ resolve, reject }));
  }

  /** An RTMP publish is H.264 (and AAC, or no audio: the probe refuses anything else), which a push copies as it is. */
  openPassthroughInput(): Promise<MediaInput> {
    return this.openInput();
  }

  /** Ends the broadcast for `reason` (reported through `ended`, once), e.g. when no publisher can return any more. */
  end(reason: string): void {
    if (this.over) return;
    this.endReason = reason;
    clearTimeout(this.windowTimer);
    // `ended` first, so the session ends with this reason rather than with the transcoder's failure to open an input.
    this.ending.end(reason);
    this.rejectWaiters(reason);
  }

  /** Disconnects the publisher, if any: that also ends the input of a still running FFmpeg. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.windowTimer);
    this.rejectWaiters('the RTMP ingest is closed');
    this.publisher?.publish.close();
    this.publisher = undefined;
  }

  private newInput(publisher: Publisher): MediaInput {
    return new FlvPipeInput(publisher.publish, publisher.hasAudio, this.o.log, (ptsMs) => publisher.meter.arrivalOf(ptsMs));
  }

  private dropped(publisher: Publisher): void {
    if (this.publisher !== publisher || this.over) return;
    this.publisher = undefined;
    if (publisher.publish.stoppedByPublisher) {
      this.end('the publisher stopped');
      return;
    }
    const windowS = this.o.reconnectWindowS;
    if (windowS === 0) {
      this.end('the publisher disconnected');
      return;
    }
    this.o.log.info('the RTMP publisher dropped; waiting for it to return', { windowS });
    this.windowTimer = setTimeout(() => this.end(`the publisher did not return within ${windowS} s`), windowS * 1000);
  }

  private rejectWaiters(reason: string): void {
    for (const waiter of this.waiters) waiter.reject(new Error(reason));
    this.waiters.clear();
  }
}
