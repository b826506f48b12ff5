import type { Writable } from 'node:stream';
import type { Logger } from '../../log.js';
import type { MediaInput } from '../../session/ingest.js';
import { avcFramePtsMs, isKeyframeTag, readFlvTag, TAG_SCRIPT } from './flv-tag.js';
import type { RtmpPublish } from './rtmp-connection.js';

/**
 * FFmpeg reads the publish as FLV on its stdin. The first bytes it gets are the sequence headers and the
 * cached GOP, so it can start probing at once; the limits keep it from waiting for more than it needs.
 */
const FLV_INPUT_ARGS = ['-f', 'flv', '-probesize', '512k', '-analyzeduration', '1000000', '-i', 'pipe:0'];

/** Unwritten bytes FFmpeg may fall behind by before the run is cut (the transcoder then starts a new one). */
const MAX_BACKLOG_BYTES = 32 * 1024 * 1024;

/** One FFmpeg run's view of an RTMP publish: its FLV piped into FFmpeg's stdin until the publisher goes. */
export class FlvPipeInput implements MediaInput {
  readonly ffmpegInputArgs = FLV_INPUT_ARGS;
  private stdin: Writable | undefined;
  private unsubscribe: (() => void) | undefined;
  private removeCloseListener: (() => void) | undefined;
  private finished = false;
  /** The presentation time (publisher's clock) of the first keyframe FFmpeg got: its decoder starts there. */
  private originPtsMs: number | undefined;

  /** `arrivalOf`: when the publish's frame presented at a time reached Axon (its meter keeps them). */
  constructor(
    private readonly publish: RtmpPublish,
    readonly hasAudio: boolean,
    private readonly log: Logger,
    private readonly arrivalOf: (ptsMs: number) => number | undefined,
  ) {}

  /**
   * FFmpeg counts every output's media time from the first frame it decodes, the run's first keyframe
   * (a cached GOP starts with one; before a keyframe the decoder puts out nothing): that frame's arrival
   * is the run's time 0. Its own arrival, not the time it was piped: a cached keyframe came earlier.
   */
  originArrival(): Date | undefined {
    const wallMs = this.originPtsMs === undefined ? undefined : this.arrivalOf(this.originPtsMs);
    return wallMs === undefined ? undefined : new Date(wallMs);
  }

  attachStdin(stdin: Writable): void {
    this.stdin = stdin;
    // EPIPE when FFmpeg exits first; the transcoder reports FFmpeg's exit.
    stdin.on('error', (err) => this.log.debug('ffmpeg stdin closed', { err }));
  }

  async start(): Promise<void> {
    if (!this.stdin) throw new Error('FFmpeg reads this input from its stdin, which was not attached');
    if (this.finished) return;
    this.stdin.write(flvFileHeader(this.hasAudio));
    // When the publisher goes, FFmpeg reads to the end of its input and exits; the transcoder then opens
    // the next run, which waits for the publisher to return.
    this.removeCloseListener = this.publish.onClose(() => this.finish());
    this.unsubscribe = this.publish.subscribe((tag) => this.write(tag));
  }

  /** RTMP cannot ask the publisher for a keyframe; every run starts from the cached GOP's keyframe. */
  requestKeyFrame(): void {}

  async close(): Promise<void> {
    this.finish();
  }

  private write(tag: Buffer): void {
    const stdin = this.stdin!;
    // FFmpeg 5.1 turns node-media-server's "@setDataFrame" script tag into an extra data stream; the
    // sequence headers tell it everything it needs.
    if (tag[0] === TAG_SCRIPT || this.finished) return;
    if (stdin.writableLength > MAX_BACKLOG_BYTES) {
      this.log.warn('FFmpeg fell behind the RTMP publisher; restarting the transcode', { backlogBytes: stdin.writableLength });
      this.finish();
      stdin.destroy();
      return;
    }
    if (this.originPtsMs === undefined) this.noteOrigin(tag);
    stdin.write(tag);
  }

  private noteOrigin(raw: Buffer): void {
    const tag = readFlvTag(raw);
    if (tag && isKeyframeTag(tag)) this.originPtsMs = avcFramePtsMs(tag);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.unsubscribe?.();
    this.removeCloseListener?.();
    this.stdin?.end();
  }
}

/** An FLV file header announcing only the tracks the publish has, so FFmpeg does not wait for a missing one. */
function flvFileHeader(hasAudio: boolean): Buffer {
  const flags = hasAudio ? 0x05 : 0x01;
  return Buffer.from([0x46, 0x4c, 0x56, 0x01, flags, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00]);
}
