import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { RUN_FILES } from '../transcode/ffmpeg-args.js';
import { type Ladder, MAXRATE_FACTOR } from '../transcode/ladder.js';
import { BROADCAST_INFO_FILE, isRecordedBroadcast, removeLiveLeftovers, writeBroadcastInfo } from './broadcast-dir.js';
import { BroadcastTimeline, type TimelineSegment } from './broadcast-timeline.js';
import type { InitInfo } from './cmaf-boxes.js';
import { runFile } from './hls-playlist.js';
import { writeManifests } from './manifest-files.js';
import { EMPTY_SEGMENT, readInitFile, readSegmentFileTiming } from './segment-file.js';

export interface LivePackagerOptions {
  /** The livestream's media root: public manifests at the top, broadcasts in sub-directories. */
  root: string;
  broadcastId: string;
  ladder: Ladder;
  windowS: number;
  utcTimingUrl: string;
  /** Keep every segment for the broadcast's recording; the live playlists are windowed all the same. */
  record: boolean;
  /** Bytes free for the media directory (statfs); tests inject a full disk here. */
  freeBytes?: (dir: string) => Promise<number>;
  /** How long a segment stays on disk after it left the live playlists (default RETIRED_SEGMENT_GRACE_MS). */
  retiredGraceMs?: number;
  log: Logger;
}

interface PackagerEvents {
  /** Every rendition has its first segment and the master playlist is written. */
  playable: [];
  /** New segments were published. */
  segments: [count: number];
  /** Segments are no longer kept beyond the window: the recording ends here while the broadcast goes on. */
  recordingStopped: [reason: string];
}

/** What a recorded broadcast kept. */
export interface RecordedBroadcast {
  /** Every kept segment; run directories are relative to the broadcast's directory (r1, r2, ...). */
  timeline: BroadcastTimeline;
  /** Recording stopped before the broadcast ended (the disk filled up). */
  interrupted: boolean;
}

interface RunWatch {
  index: number;
  dir: string;
  watcher: fs.FSWatcher | null;
  poll: NodeJS.Timeout;
  ended: boolean;
  /** Per rendition: the next segment number expected, and its init segment once read. */
  next: Map<string, number>;
  inits: Map<string, InitInfo>;
}

const SEGMENT_FILE = /^seg-\d+-\d+\.m4s$/;
/** Room kept free beyond the live window's own needs (manifests, the replay's playlists, logs). */
const DISK_MARGIN_BYTES = 16 * 1024 * 1024;
/**
 * A player that loaded the previous playlist (or an edge that cached it for its max-age) still asks for a
 * segment that has just left it (RFC 8216 6.2.2): it stays this long, covering a playlist reload, the
 * edge's second of caching and the download.
 */
export const RETIRED_SEGMENT_GRACE_MS = 10_000;

async function statfsFreeBytes(dir: string): Promise<number> {
  const stats = await fsp.statfs(dir);
  return stats.bavail * stats.bsize;
}

const isDiskFull = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'ENOSPC';
const megabytes = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

/**
 * Turns the CMAF segments FFmpeg writes into Axon's public HLS and DASH manifests. A segment counts once
 * FFmpeg has renamed it into place; its timing comes from its own boxes, not from FFmpeg's manifest
 * (which lists a lower rung's segment only at the next flush, a whole segment late). Axon owns the window,
 * the discontinuities between FFmpeg runs and the deletion of segments that leave the window, unless the
 * broadcast is recorded: then every segment stays, and a second, never-trimmed timeline lists them.
 *
 * Recording gives way to the live stream: once the disk no longer has room for a whole window beyond what
 * is kept, the recording stops (what it kept stays) and segments leaving the window are deleted again.
 */
export class LivePackager extends EventEmitter<PackagerEvents> {
  readonly timeline: BroadcastTimeline;
  private readonly runs = new Map<number, RunWatch>();
  private playable = false;
  private finished = false;
  private readonly recording: { timeline: BroadcastTimeline; active: boolean } | null;
  /** Free bytes below which recording stops: the live window must be able to fill once more. */
  private readonly reserveBytes: number;
  /** Serializes refreshes: manifests are read, merged and written one at a time. */
  private queue: Promise<void> = Promise.resolve();
  /** Segments that left the live playlists, oldest first, deleted once the grace has passed. */
  private readonly retired: Array<{ file: string; run: number; at: number }> = [];

  constructor(private readonly o: LivePackagerOptions) {
    super();
    const ids = [...o.ladder.rungs.map((_, i) => String(i)), this.audioId];
    this.timeline = new BroadcastTimeline(ids);
    this.recording = o.record ? { timeline: new BroadcastTimeline(ids), active: true } : null;
    const bitsPerSecond = o.ladder.rungs.reduce((sum, r) => sum + r.videoBitrate * MAXRATE_FACTOR, o.ladder.audio.bitrate);
    this.reserveBytes = Math.ceil((o.windowS * bitsPerSecond) / 8) + DISK_MARGIN_BYTES;
  }

  private get audioId(): string {
    return String(this.o.ladder.rungs.length);
  }

  private get broadcastDir(): string {
    return path.join(this.o.root, this.o.broadcastId);
  }

  /** Segments are still being kept for the recording. */
  get isRecording(): boolean {
    return this.recording?.active ?? false;
  }

  /** What the recording kept; null when the broadcast is not recorded. */
  get recorded(): RecordedBroadcast | null {
    return this.recording && { timeline: this.recording.timeline, interrupted: !this.recording.active };
  }

  /**
   * Clears what earlier broadcasts left (their live manifests, so players don't see their end as this
   * one's, and the segments of those that were not recorded) and, when recording, marks this broadcast's
   * directory as a recording.
   */
  async prepare(): Promise<void> {
    const { root, broadcastId } = this.o;
    await removeLiveLeftovers(root, (id) => (id === broadcastId ? Promise.resolve(true) : isRecordedBroadcast(path.join(root, id))));
    await fsp.mkdir(this.broadcastDir, { recursive: true });
    if (!this.recording?.active) return;
    try {
      await writeBroadcastInfo(this.broadcastDir, { ladder: this.o.ladder });
    } catch (err) {
      this.stopRecording(`${BROADCAST_INFO_FILE} could not be written (${(err as Error).message})`);
    }
  }

  /** Stops keeping segments beyond the window; what was kept stays. Idempotent. */
  stopRecording(reason: string): void {
    if (!this.recording?.active) return;
    this.recording.active = false;
    this.o.log.error(`recording stopped: ${reason}; the live stream goes on`, {
      broadcast: this.o.broadcastId,
      recordedS: Math.round(this.recording.timeline.durationS()),
    });
    this.emit('recordingStopped', reason);
  }

  /** Creates the directory of a new FFmpeg run and starts following its manifest. Returns the directory. */
  async startRun(index: number): Promise<string> {
    const rel = `${this.o.broadcastId}/r${index}`;
    const dir = path.join(this.o.root, rel);
    await fsp.mkdir(dir, { recursive: true });
    this.timeline.addRun(index, rel);
    if (this.recording?.active) this.recording.timeline.addRun(index, `r${index}`);
    const refresh = () => this.refresh(index);
    let watcher: fs.FSWatcher | null = null;
    try {
      watcher = fs.watch(dir, (_event, file) => {
        if (file && SEGMENT_FILE.test(file)) refresh();
      });
      watcher.on('error', () => undefined);
    } catch {
      watcher = null; // the poll below still follows the run
    }
    const poll = setInterval(refresh, 1000);
    const next = new Map(this.timeline.renditionIds.map((id) => [id, 1]));
    this.runs.set(index, { index, dir, watcher, poll, ended: false, next, inits: new Map() });
    return dir;
  }

  /** Reads the run's final manifest (FFmpeg flushes its last segment on exit) and stops following it. */
  async endRun(index: number): Promise<void> {
    const run = this.runs.get(index);
    if (!run || run.ended) return;
    run.ended = true;
    run.watcher?.close();
    clearInterval(run.poll);
    await this.refresh(index);
  }

  /** Stops following every run once its last segments are read: the timelines are final. */
  async endRuns(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((i) => this.endRun(i)));
  }

  /** Publishes the final manifests: HLS with EXT-X-ENDLIST, DASH static. */
  async finish(): Promise<void> {
    await this.endRuns();
    this.finished = true;
    await this.enqueue(async () => {
      await this.write();
      // Nothing refreshes after the end: what left the playlists goes now rather than never.
      await this.deleteRetired(Infinity);
    });
  }

  close(): void {
    for (const run of this.runs.values()) {
      run.watcher?.close();
      clearInterval(run.poll);
    }
  }

  private refresh(index: number): Promise<void> {
    return this.enqueue(async () => {
      const run = this.runs.get(index);
      if (!run) return;
      const now = new Date();
      let added = 0;
      for (const [rendition, number] of run.next) {
        for (let n = number; ; n++) {
          let timing;
          try {
            timing = await this.readSegment(run, rendition, n);
          } catch (err) {
            this.o.log.warn('skipping an unreadable segment', { run: index, rendition, number: n, err });
            run.next.set(rendition, n + 1);
            continue;
          }
          if (!timing) break;
          run.next.set(rendition, n + 1);
          if (timing === EMPTY_SEGMENT) continue;
          this.timeline.add(index, rendition, { number: n, ...timing }, now);
          if (this.recording?.active) this.recording.timeline.add(index, rendition, { number: n, ...timing }, now);
          added += 1;
        }
      }
      if (added === 0) return this.deleteRetired(Date.now() - this.retiredGraceMs);
      await this.checkDiskSpace();
      this.retireOutOfWindow();
      try {
        await this.write();
      } catch (err) {
        if (isDiskFull(err)) this.stopRecording('disk full (ENOSPC while writing the playlists)');
        throw err;
      }
      // After the playlists: a published playlist never lists a deleted segment.
      await this.deleteRetired(Date.now() - this.retiredGraceMs);
      this.emit('segments', added);
      if (!this.playable && this.timeline.isPlayable()) {
        this.playable = true;
        this.emit('playable');
      }
    });
  }

  /** Timing of segment `n` of a rendition, or null while FFmpeg has not finished it. */
  private async readSegment(run: RunWatch, rendition: string, n: number) {
    let init = run.inits.get(rendition);
    const timing = await readSegmentFileTiming(path.join(run.dir, runFile(RUN_FILES.media, rendition, n)), async () => {
      init ??= await readInitFile(path.join(run.dir, runFile(RUN_FILES.init, rendition)));
      run.inits.set(rendition, init);
      return init;
    });
    if (timing === EMPTY_SEGMENT) return timing;
    return timing && init && { t: timing.decodeTime, d: timing.duration, timescale: init.timescale };
  }

  /** Stops recording while the disk can still take a whole live window, so the live stream never starves. */
  private async checkDiskSpace(): Promise<void> {
    if (!this.recording?.active) return;
    let free: number;
    try {
      free = await (this.o.freeBytes ?? statfsFreeBytes)(this.broadcastDir);
    } catch (err) {
      this.o.log.warn('cannot read the free disk space', { err });
      return;
    }
    if (free < this.reserveBytes) {
      this.stopRecording(`disk full (${megabytes(free)} free, the live window needs ${megabytes(this.reserveBytes)})`);
    }
  }

  /** Whether a segment belongs to the recording (kept when it leaves the live window). */
  private isRecorded(rendition: string, segment: TimelineSegment): boolean {
    if (!this.recording) return false;
    if (this.recording.active) return true;
    const last = this.recording.timeline.renditions.get(rendition)?.segments.at(-1);
    return last !== undefined && (segment.run < last.run || (segment.run === last.run && segment.number <= last.number));
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(job).catch((err: unknown) => this.o.log.error('packager update failed', { err }));
    return this.queue;
  }

  private get retiredGraceMs(): number {
    return this.o.retiredGraceMs ?? RETIRED_SEGMENT_GRACE_MS;
  }

  /** Segments that leave the window (and are not recorded) go on the list to delete. */
  private retireOutOfWindow(): void {
    const at = Date.now();
    for (const { rendition, segment } of this.timeline.trim(this.o.windowS)) {
      if (this.isRecorded(rendition, segment)) continue;
      const dir = this.timeline.runs.get(segment.run)!.dir;
      this.retired.push({ file: path.join(this.o.root, dir, runFile(RUN_FILES.media, rendition, segment.number)), run: segment.run, at });
    }
  }

  /** Deletes the segments retired before `before`, then the directories of ended runs nothing refers to any more. */
  private async deleteRetired(before: number): Promise<void> {
    const due = [];
    while (this.retired.length > 0 && this.retired[0]!.at <= before) due.push(this.retired.shift()!);
    await Promise.all(due.map((r) => fsp.rm(r.file, { force: true })));
    for (const run of this.timeline.unreferencedRuns()) {
      if (!this.runs.get(run.index)?.ended || this.retired.some((r) => r.run === run.index)) continue;
      // A run the recording has segments of keeps its directory (and init segments).
      if (!this.recording?.timeline.runs.has(run.index)) await fsp.rm(path.join(this.o.root, run.dir), { recursive: true, force: true });
      this.timeline.runs.delete(run.index);
    }
  }

  private async write(): Promise<void> {
    if (!this.timeline.isPlayable()) return;
    const { windowS, utcTimingUrl } = this.o;
    await writeManifests(this.o.root, this.timeline, this.o.ladder, { ended: this.finished, windowS, utcTimingUrl, now: new Date() });
  }
}
