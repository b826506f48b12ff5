import fsp from 'node:fs/promises';
import type { Logger } from '../log.js';
import { BROADCAST_INFO_FILE, renditionIds, runDirName } from '../media/media-layout.js';
import { BroadcastTimeline, runLadder, type TimelineSegment } from '../packager/broadcast-timeline.js';
import type { RecordingPolicy } from '../packager/recording-policy.js';
import { type Ladder, MAXRATE_FACTOR } from '../transcode/ladder.js';
import { type BroadcastInfo, writeBroadcastInfo } from './broadcast-info.js';

export interface BroadcastRecordingOptions {
  /** The broadcast's directory (also the recording's). */
  dir: string;
  broadcastId: string;
  ladder: Ladder;
  /** The live window, which must always find room on the disk. */
  windowS: number;
  /** Bytes free for the media directory (statfs); tests inject a full disk here. */
  freeBytes?: (dir: string) => Promise<number>;
  log: Logger;
}

/** What a recorded broadcast kept. */
export interface RecordedBroadcast {
  /** Every kept segment; run directories are relative to the broadcast's directory (r1, r2, ...). */
  timeline: BroadcastTimeline;
  /** Recording stopped before the broadcast ended (the disk filled up). */
  interrupted: boolean;
}

/** Room kept free beyond the live window's own needs (manifests, the replay's playlists, logs). */
const DISK_MARGIN_BYTES = 16 * 1024 * 1024;

async function statfsFreeBytes(dir: string): Promise<number> {
  const stats = await fsp.statfs(dir);
  return stats.bavail * stats.bsize;
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

/**
 * Keeps a broadcast's segments for its replay while the live packager windows the playlists: every
 * segment stays, and a second, never-trimmed timeline lists them. Recording gives way to the live stream:
 * once the disk no longer has room for a whole window beyond what is kept, the recording stops (what it
 * kept stays) and segments leaving the window are deleted again.
 */
export class BroadcastRecording implements RecordingPolicy {
  private readonly timeline: BroadcastTimeline;
  private active = true;
  /** Free bytes below which recording stops: the live window must be able to fill once more. */
  private readonly reserveBytes: number;
  /** What the broadcast's directory says of it, once begun; rewritten at each run, one write at a time. */
  private info: BroadcastInfo | undefined;
  private infoWritten: Promise<void> = Promise.resolve();

  constructor(private readonly o: BroadcastRecordingOptions) {
    this.timeline = new BroadcastTimeline(renditionIds(o.ladder));
    const bitsPerSecond = o.ladder.rungs.reduce((sum, r) => sum + r.videoBitrate * MAXRATE_FACTOR, o.ladder.audio.bitrate);
    this.reserveBytes = Math.ceil((o.windowS * bitsPerSecond) / 8) + DISK_MARGIN_BYTES;
  }

  /** Segments are still being kept. */
  get isRecording(): boolean {
    return this.active;
  }

  get recorded(): RecordedBroadcast {
    return { timeline: this.timeline, interrupted: !this.active };
  }

  /** Marks the broadcast's directory as a recording: its segments survive the broadcast, and a crash. */
  async begin(): Promise<void> {
    if (!this.active) return;
    this.info = { ladder: runLadder(this.o.ladder), runs: {} };
    try {
      await writeBroadcastInfo(this.o.dir, this.info);
    } catch (err) {
      this.stop(`${BROADCAST_INFO_FILE} could not be written (${(err as Error).message})`);
    }
  }

  /** Idempotent. */
  stop(reason: string): void {
    if (!this.active) return;
    this.active = false;
    this.o.log.error(`recording stopped: ${reason}; the live stream goes on`, {
      broadcast: this.o.broadcastId,
      recordedS: Math.round(this.timeline.durationS()),
    });
  }

  /** A replay recovered after a crash declares each run as it started (its codecs and sizes), from the info. */
  addRun(run: number, ladder: Ladder): void {
    if (!this.active) return;
    this.timeline.addRun(run, runDirName(run), ladder);
    const info = this.info;
    if (!info?.runs) return;
    info.runs[String(run)] = runLadder(ladder);
    this.infoWritten = this.infoWritten
      .then(() => writeBroadcastInfo(this.o.dir, info))
      .catch((err: unknown) => this.o.log.warn(`${BROADCAST_INFO_FILE} could not be updated; a replay recovered after a crash declares this run as the first`, { run, err }));
  }

  add(run: number, rendition: string, segment: Pick<TimelineSegment, 'number' | 't' | 'd' | 'timescale'>, completedAt: Date): void {
    if (this.active) this.timeline.add(run, rendition, segment, completedAt);
  }

  /** Stops recording while the disk can still take a whole live window, so the live stream never starves. */
  async checkRoom(): Promise<void> {
    if (!this.active) return;
    let free: number;
    try {
      free = await (this.o.freeBytes ?? statfsFreeBytes)(this.o.dir);
    } catch (err) {
      this.o.log.warn('cannot read the free disk space', { err });
      return;
    }
    if (free < this.reserveBytes) {
      this.stop(`disk full (${megabytes(free)} free, the live window needs ${megabytes(this.reserveBytes)})`);
    }
  }

  keeps(rendition: string, segment: TimelineSegment): boolean {
    if (this.active) return true;
    const last = this.timeline.renditions.get(rendition)?.segments.at(-1);
    return last !== undefined && (segment.run < last.run || (segment.run === last.run && segment.number <= last.number));
  }

  /** A run the recording has segments of keeps its directory (and init segments). */
  keepsRun(run: number): boolean {
    return this.timeline.runs.has(run);
  }
}
