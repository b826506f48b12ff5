import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { RUN_FILES } from '../transcode/ffmpeg-args.js';
import type { Ladder } from '../transcode/ladder.js';
import { BroadcastTimeline } from './broadcast-timeline.js';
import { renderDashManifest } from './dash-manifest.js';
import { type InitInfo, readFragmentTiming, readInitInfo } from './cmaf-boxes.js';
import { AUDIO_PLAYLIST, mediaPlaylistName, renderMasterPlaylist, renderMediaPlaylist, runFile } from './hls-playlist.js';

export const PUBLIC_MANIFESTS = { master: 'master.m3u8', dash: 'manifest.mpd' } as const;

export interface LivePackagerOptions {
  /** The livestream's media root: public manifests at the top, broadcasts in sub-directories. */
  root: string;
  broadcastId: string;
  ladder: Ladder;
  windowS: number;
  utcTimingUrl: string;
  log: Logger;
}

interface PackagerEvents {
  /** Every rendition has its first segment and the master playlist is written. */
  playable: [];
  /** New segments were published. */
  segments: [count: number];
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

/**
 * Turns the CMAF segments FFmpeg writes into Axon's public HLS and DASH manifests. A segment counts once
 * FFmpeg has renamed it into place; its timing comes from its own boxes, not from FFmpeg's manifest
 * (which lists a lower rung's segment only at the next flush, a whole segment late). Axon owns the window,
 * the discontinuities between FFmpeg runs and the deletion of segments that leave the window.
 */
export class LivePackager extends EventEmitter<PackagerEvents> {
  readonly timeline: BroadcastTimeline;
  private readonly runs = new Map<number, RunWatch>();
  private playable = false;
  private finished = false;
  /** Serializes refreshes: manifests are read, merged and written one at a time. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly o: LivePackagerOptions) {
    super();
    const ids = [...o.ladder.rungs.map((_, i) => String(i)), this.audioId];
    this.timeline = new BroadcastTimeline(ids);
  }

  private get audioId(): string {
    return String(this.o.ladder.rungs.length);
  }

  /** Removes the previous broadcast's public manifests so players don't see its end as this one's. */
  async prepare(): Promise<void> {
    await fsp.mkdir(path.join(this.o.root, this.o.broadcastId), { recursive: true });
    const previous = (await fsp.readdir(this.o.root)).filter((f) => f.endsWith('.m3u8') || f.endsWith('.mpd'));
    await Promise.all(previous.map((f) => fsp.rm(path.join(this.o.root, f), { force: true })));
  }

  /** Creates the directory of a new FFmpeg run and starts following its manifest. Returns the directory. */
  async startRun(index: number): Promise<string> {
    const rel = `${this.o.broadcastId}/r${index}`;
    const dir = path.join(this.o.root, rel);
    await fsp.mkdir(dir, { recursive: true });
    this.timeline.addRun(index, rel);
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

  /** Publishes the final manifests: HLS with EXT-X-ENDLIST, DASH static. */
  async finish(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((i) => this.endRun(i)));
    this.finished = true;
    await this.enqueue(() => this.write());
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
          this.timeline.add(index, rendition, { number: n, ...timing }, now);
          run.next.set(rendition, n + 1);
          added += 1;
        }
      }
      if (added === 0) return;
      await this.deleteOutOfWindow();
      await this.write();
      this.emit('segments', added);
      if (!this.playable && this.timeline.isPlayable()) {
        this.playable = true;
        this.emit('playable');
      }
    });
  }

  /** Timing of segment `n` of a rendition, or null while FFmpeg has not finished it. */
  private async readSegment(run: RunWatch, rendition: string, n: number) {
    let segment: Buffer;
    try {
      segment = await fsp.readFile(path.join(run.dir, runFile(RUN_FILES.media, rendition, n)));
    } catch {
      return null;
    }
    let init = run.inits.get(rendition);
    if (!init) {
      init = readInitInfo(await fsp.readFile(path.join(run.dir, runFile(RUN_FILES.init, rendition))));
      run.inits.set(rendition, init);
    }
    const { decodeTime, duration } = readFragmentTiming(segment, init);
    return { t: decodeTime, d: duration, timescale: init.timescale };
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(job).catch((err: unknown) => this.o.log.error('packager update failed', { err }));
    return this.queue;
  }

  private async deleteOutOfWindow(): Promise<void> {
    const dropped = this.timeline.trim(this.o.windowS);
    await Promise.all(
      dropped.map(({ rendition, segment }) => {
        const dir = this.timeline.runs.get(segment.run)!.dir;
        return fsp.rm(path.join(this.o.root, dir, runFile(RUN_FILES.media, rendition, segment.number)), { force: true });
      }),
    );
    for (const run of this.timeline.unreferencedRuns()) {
      if (this.runs.get(run.index)?.ended) {
        await fsp.rm(path.join(this.o.root, run.dir), { recursive: true, force: true });
        this.timeline.runs.delete(run.index);
      }
    }
  }

  private async write(): Promise<void> {
    if (!this.timeline.isPlayable()) return;
    const ended = this.finished;
    const { ladder } = this.o;
    const files: Array<[string, string]> = ladder.rungs.map((rung, i) => [
      mediaPlaylistName(rung.name),
      renderMediaPlaylist(this.timeline.renditions.get(String(i))!, this.timeline.runs, { ended }),
    ]);
    files.push([AUDIO_PLAYLIST, renderMediaPlaylist(this.timeline.renditions.get(this.audioId)!, this.timeline.runs, { ended })]);
    files.push([
      PUBLIC_MANIFESTS.dash,
      renderDashManifest(this.timeline, ladder, { ended, windowS: this.o.windowS, utcTimingUrl: this.o.utcTimingUrl, now: new Date() }),
    ]);
    // The master goes last: when it appears, every playlist it names already has a segment.
    await Promise.all(files.map(([name, body]) => writeAtomic(path.join(this.o.root, name), body)));
    await writeAtomic(path.join(this.o.root, PUBLIC_MANIFESTS.master), renderMasterPlaylist(ladder));
  }
}

async function writeAtomic(file: string, body: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, body);
  await fsp.rename(tmp, file);
}
