import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../log.js';
import { initSegmentName } from '../media/media-layout.js';
import type { ScannedSegment } from '../packager/segment-scanner.js';
import type { PushInput } from './push-input.js';

/** What the feed needs of a segment the packager found. */
export type FedSegment = Pick<ScannedSegment, 'rendition' | 'file'> & { segment: { number: number } };

/** Bytes a push may fall behind by before its input is cut (the push then starts again from the newest segment). */
const MAX_BACKLOG_BYTES = 32 * 1024 * 1024;
/** Audio segments kept in mind, so that a push starting at the newest video segment finds the audio beside it. */
const AUDIO_KEPT = 4;

/**
 * FFmpeg reads the rung's CMAF as two fragmented MP4 streams: video on stdin, audio on descriptor 3. Both
 * carry the transcoder's clock, kept (-copyts) so that they stay in step; a whole segment arrives at once,
 * hence the deeper queues.
 */
const RUNG_INPUT_ARGS = ['-copyts', ...['-thread_queue_size', '512', '-f', 'mp4', '-i', 'pipe:0'], ...['-thread_queue_size', '512', '-f', 'mp4', '-i', 'pipe:3']];
const RUNG_MAP_ARGS = ['-map', '0:v:0', '-map', '1:a:0', '-c', 'copy'];

/**
 * One rung of a broadcast, read from the CMAF segments the transcoder already wrote (no second encode),
 * for every push that takes it. Each push's input starts at the newest video segment with the audio
 * segment of the same number, each preceded by its init segment, then follows the segments as the
 * packager finds them. A new transcoder run (new init segments, a new clock) ends every input; the
 * pushes start again from the new run.
 */
export class RungFeed {
  private readonly inputs = new Set<RungInput>();
  private runDir: string | null = null;
  private newestVideo: FedSegment | null = null;
  private readonly audio: FedSegment[] = [];

  constructor(
    private readonly video: string,
    private readonly audioRendition: string,
    private readonly log: Logger,
  ) {}

  /** A segment the packager found; only the rung's video and the audio are taken. */
  offer(s: FedSegment): void {
    if (s.rendition !== this.video && s.rendition !== this.audioRendition) return;
    const dir = path.dirname(s.file);
    if (dir !== this.runDir) {
      this.runDir = dir;
      this.newestVideo = null;
      this.audio.length = 0;
      for (const input of this.inputs) void input.close();
    }
    if (s.rendition === this.video) this.newestVideo = s;
    else {
      this.audio.push(s);
      if (this.audio.length > AUDIO_KEPT) this.audio.shift();
    }
    for (const input of this.inputs) input.offer(s);
  }

  open(): PushInput {
    const input: RungInput = new RungInput(this.video, () => this.startInput(input), () => this.inputs.delete(input), this.log);
    return input;
  }

  /** Ends every input (the broadcast ended). */
  close(): void {
    for (const input of this.inputs) void input.close();
  }

  private startInput(input: RungInput): void {
    this.inputs.add(input);
    if (!this.newestVideo) return;
    input.offer(this.newestVideo);
    for (const a of this.audio) input.offer(a);
  }
}

/** One push's input from a RungFeed: the files written into FFmpeg's two pipes, one after the other. */
class RungInput implements PushInput {
  readonly inputArgs = RUNG_INPUT_ARGS;
  readonly mapArgs = RUNG_MAP_ARGS;
  readonly pipes = 2;
  private video: Writable | undefined;
  private audio: Writable | undefined;
  /** The video segment number the push began at; undefined until the first one. */
  private firstNumber: number | undefined;
  private readonly queues = new Map<Writable, Promise<void>>();
  private closed = false;

  constructor(
    private readonly videoRendition: string,
    private readonly begin: () => void,
    private readonly leave: () => void,
    private readonly log: Logger,
  ) {}

  attach(pipes: readonly Writable[]): void {
    [this.video, this.audio] = pipes;
    // EPIPE when FFmpeg exits first; the push reports FFmpeg's exit.
    for (const pipe of pipes) pipe.on('error', (err) => this.log.debug('push input pipe closed', { err }));
  }

  async start(): Promise<void> {
    if (!this.video || !this.audio) throw new Error('the rung input needs both of its pipes attached');
    if (!this.closed) this.begin();
  }

  offer(s: FedSegment): void {
    if (this.closed) return;
    const isVideo = s.rendition === this.videoRendition;
    if (this.firstNumber === undefined) {
      if (!isVideo) return;
      this.firstNumber = s.segment.number;
      this.write(this.video!, [path.join(path.dirname(s.file), initSegmentName(s.rendition)), s.file]);
      return;
    }
    if (s.segment.number < this.firstNumber) return;
    const pipe = isVideo ? this.video! : this.audio!;
    const files = this.queues.has(pipe) ? [s.file] : [path.join(path.dirname(s.file), initSegmentName(s.rendition)), s.file];
    this.write(pipe, files);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leave();
    // What is queued still goes: FFmpeg then reaches the end of both inputs and finishes its push.
    await Promise.all([this.video, this.audio].map((pipe) => pipe && (this.queues.get(pipe) ?? Promise.resolve()).then(() => pipe.end())));
  }

  private write(pipe: Writable, files: string[]): void {
    if (pipe.writableLength > MAX_BACKLOG_BYTES) {
      this.log.warn('a push fell behind its rung; starting it again from the newest segment', { backlogBytes: pipe.writableLength });
      void this.close();
      return;
    }
    const previous = this.queues.get(pipe) ?? Promise.resolve();
    const next = previous.then(async () => {
      for (const file of files) if (!pipe.destroyed) await pipeline(fs.createReadStream(file), pipe, { end: false });
    });
    this.queues.set(pipe, next.catch((err: unknown) => this.log.debug('a segment could not be fed to a push', { err })));
  }
}
