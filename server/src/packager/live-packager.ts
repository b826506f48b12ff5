import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { broadcastDir, liveRunDir, mediaSegmentName, renditionIds } from '../media/media-layout.js';
import type { Ladder } from '../transcode/ladder.js';
import { partDurationS } from '../transcode/part-duration.js';
import { BroadcastTimeline, firstMediaSequence, runLadder } from './broadcast-timeline.js';
import { anchorAtFirstParts, everyRenditionStarted, firstSegments, writingRun } from './first-segments.js';
import { isSegmentFile } from './growing-segment.js';
import { LIVE_EDGES, LiveEdge, type LiveEdges } from './live-edge.js';
import { renderLiveEdge } from './live-edge-view.js';
import { isRecordedBroadcast, removeLiveLeftovers } from './live-leftovers.js';
import { writeManifests } from './manifest-files.js';
import { NOT_RECORDED, type RecordingPolicy } from './recording-policy.js';
import { RunParts } from './run-parts.js';
import { RunScanner, type ScannedSegment } from './segment-scanner.js';

export interface LivePackagerOptions {
  /** The livestream's media root: public manifests at the top, broadcasts in sub-directories. */
  root: string;
  broadcastId: string;
  ladder: Ladder;
  windowS: number;
  utcTimingUrl: string;
  /** The broadcast's recording, which keeps segments beyond the window; absent when it is not recorded. */
  recording?: RecordingPolicy | undefined;
  /** How long a segment stays on disk after it left the live playlists (default RETIRED_SEGMENT_GRACE_MS). */
  retiredGraceMs?: number;
  /** Where the origin finds this broadcast's parts and LL-HLS playlists (default: the process's). */
  edges?: LiveEdges;
  log: Logger;
}

interface PackagerEvents {
  /** Every rendition has its first part (or segment) and the master playlist is written. */
  playable: [];
  /** A segment FFmpeg finished, as found (what else reads the broadcast, such as its thumbnail, follows these). */
  segment: [ScannedSegment];
}

interface RunWatch {
  scanner: RunScanner;
  parts: RunParts;
  watcher: fs.FSWatcher | null;
  poll: NodeJS.Timeout;
  ended: boolean;
  /** A refresh is queued and has not started: another one would find nothing more. */
  queued: boolean;
  /** The next refresh looks for complete segments even if no growing one was found complete (the poll, the run's end). */
  rescan: boolean;
}

/**
 * A player that loaded the previous playlist (or an edge that cached it for its max-age) still asks for a
 * segment that has just left it (RFC 8216 6.2.2): it stays this long, covering a playlist reload, the
 * edge's second of caching and the download.
 */
export const RETIRED_SEGMENT_GRACE_MS = 10_000;

/**
 * Turns the CMAF segments FFmpeg writes into Axon's public HLS and DASH manifests. A segment counts once
 * FFmpeg has renamed it into place; its timing comes from its own boxes, not from FFmpeg's manifest
 * (which lists a lower rung's segment only at the next flush, a whole segment late). Axon owns the window,
 * the discontinuities between FFmpeg runs and the deletion of segments that leave the window, unless the
 * broadcast's recording keeps them.
 *
 * Parts come from the same files while FFmpeg writes them: each change to a growing segment is read at
 * once, and the broadcast's live edge (LL-HLS playlists, growing segments) is published to the origin.
 */
export class LivePackager extends EventEmitter<PackagerEvents> {
  readonly timeline: BroadcastTimeline;
  private readonly runs = new Map<number, RunWatch>();
  /** The manifests are out: every rendition had its first part. */
  private playable = false;
  private announcedPlayable = false;
  private finished = false;
  private readonly recording: RecordingPolicy;
  /** Serializes refreshes: manifests are read, merged and written one at a time. */
  private queue: Promise<void> = Promise.resolve();
  /** Segments that left the live playlists, oldest first, deleted once the grace has passed. */
  private readonly retired: Array<{ file: string; run: number; at: number }> = [];
  private readonly edge = new LiveEdge();
  private readonly retiredGraceMs: number;

  constructor(private readonly o: LivePackagerOptions) {
    super();
    this.timeline = new BroadcastTimeline(renditionIds(o.ladder), firstMediaSequence(Date.now()));
    this.recording = o.recording ?? NOT_RECORDED;
    this.retiredGraceMs = o.retiredGraceMs ?? RETIRED_SEGMENT_GRACE_MS;
  }

  /**
   * Clears what earlier broadcasts left (their live manifests, so players don't see their end as this
   * one's, and the segments of those that were not recorded) and lets the recording, if any, mark this
   * broadcast's directory as one.
   */
  async prepare(): Promise<void> {
    const { root, broadcastId } = this.o;
    await removeLiveLeftovers(root, (id) => (id === broadcastId ? Promise.resolve(true) : isRecordedBroadcast(broadcastDir(root, id))));
    await fsp.mkdir(broadcastDir(root, broadcastId), { recursive: true });
    await this.recording.begin();
  }

  /**
   * Creates the directory of a new FFmpeg run and starts following its segments. Returns the directory.
   * `originArrival`: when the frame the run's media time 0 comes from reached Axon, the run's clock. The run
   * writes the ladder as the session declares it now, then at each of its segments (a copied rung's measured
   * bitrate): the packager's and the recording's timelines share the run's copy.
   */
  async startRun(index: number, originArrival?: () => Date | undefined): Promise<string> {
    const rel = liveRunDir(this.o.broadcastId, index);
    const dir = path.join(this.o.root, rel);
    await fsp.mkdir(dir, { recursive: true });
    const ladder = runLadder(this.o.ladder);
    this.timeline.addRun(index, rel, ladder, originArrival);
    this.recording.addRun(index, ladder);
    let watcher: fs.FSWatcher | null = null;
    try {
      watcher = fs.watch(dir, (_event, file) => {
        if (file && isSegmentFile(file)) void this.refresh(index);
      });
      watcher.on('error', () => undefined);
    } catch {
      watcher = null; // the poll below still follows the run
    }
    const poll = setInterval(() => void this.refresh(index, true), 1000);
    const scanner = new RunScanner(dir, this.timeline.renditionIds, (rendition, number, err) => {
      this.o.log.warn('skipping an unreadable segment', { run: index, rendition, number, err });
      return 'skip';
    });
    const parts = new RunParts(dir, this.timeline.renditionIds, (rendition, number, err) => {
      this.o.log.warn('no parts from an unreadable segment', { run: index, rendition, number, err });
    });
    this.runs.set(index, { scanner, parts, watcher, poll, ended: false, queued: false, rescan: false });
    return dir;
  }

  /** Reads the run's last segments (FFmpeg flushes one on exit) and stops following it: none of its next ones is announced any more. */
  async endRun(index: number): Promise<void> {
    const run = this.runs.get(index);
    if (!run || run.ended) return;
    run.ended = true;
    run.watcher?.close();
    clearInterval(run.poll);
    await this.refresh(index, true);
    run.parts.end();
    await this.enqueue(() => this.write().then(() => this.publishEdge()));
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
      // Held requests fall back to the files on disk: by now, the final ones.
      this.edges.unregister(this.edgeKey, this.edge);
      // Nothing refreshes after the end: what left the playlists goes now rather than never.
      await this.deleteRetired(Infinity);
    });
  }

  close(): void {
    this.edges.unregister(this.edgeKey, this.edge);
    for (const run of this.runs.values()) {
      run.watcher?.close();
      clearInterval(run.poll);
    }
  }

  private refresh(index: number, rescan = false): Promise<void> {
    const watched = this.runs.get(index);
    if (watched) watched.rescan ||= rescan;
    if (watched?.queued) return this.queue;
    if (watched) watched.queued = true;
    return this.enqueue(async () => {
      const run = this.runs.get(index);
      if (!run) return;
      run.queued = false;
      const asked = run.rescan;
      run.rescan = false;
      const now = new Date();
      const parts = await run.parts.scan();
      // Looking for complete segments costs a failed open per rendition, and FFmpeg's writes wake a refresh
      // several times a part: done once a growing one was found complete (under its complete name by then) and
      // on the poll, before anything is published: a part never shows up beyond a segment the timeline lacks.
      const found = asked || parts.segmentDone ? await run.scanner.scan() : [];
      for (const scanned of found) {
        this.timeline.add(index, scanned.rendition, scanned.segment, now);
        this.recording.add(index, scanned.rendition, scanned.segment, now);
        this.emit('segment', scanned);
      }
      if (found.length === 0) {
        if (parts.changed) await this.publishParts();
        return this.deleteRetired(Date.now() - this.retiredGraceMs);
      }
      if (index === Math.max(...this.runs.keys())) this.timeline.describeRun(index, this.o.ladder);
      await this.recording.checkRoom();
      this.retireOutOfWindow();
      this.becomePlayable();
      try {
        await this.write();
      } catch (err) {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ENOSPC') this.recording.stop('disk full (ENOSPC while writing the playlists)');
        throw err;
      }
      this.publishEdge();
      // After the playlists: a published playlist never lists a deleted segment.
      await this.deleteRetired(Date.now() - this.retiredGraceMs);
      this.announcePlayable();
    });
  }

  /**
   * New parts to the origin. Once every rendition has its first part, the manifests go out and the
   * broadcast is playable: LL-HLS and LL-DASH players start a segment earlier than they could otherwise.
   */
  private async publishParts(): Promise<void> {
    if (!this.playable) {
      if (!this.becomePlayable()) return;
      await this.write();
    }
    this.publishEdge();
    this.announcePlayable();
  }

  /** Every rendition has its first part or a segment: the manifests go out from now on. True once playable. */
  private becomePlayable(): boolean {
    if (this.playable) return true;
    const first = firstSegments(this.timeline, this.runs);
    if (!everyRenditionStarted(this.timeline, first)) return false;
    anchorAtFirstParts(this.timeline, first, new Date());
    this.playable = true;
    return true;
  }

  private announcePlayable(): void {
    if (this.playable && !this.announcedPlayable) this.emit('playable');
    this.announcedPlayable = this.playable;
  }

  /** The origin looks the edge up by the livestream root it resolves requests in. */
  private get edgeKey(): string {
    return path.resolve(this.o.root);
  }

  private get edges(): LiveEdges {
    return this.o.edges ?? LIVE_EDGES;
  }

  /** The LL-HLS playlists and growing segments, to the origin; the first publication makes the edge known. */
  private publishEdge(): void {
    if (this.finished || this.edge.closed || !this.playable) return;
    const { playlists, segments, upcoming } = renderLiveEdge(this.timeline, this.o.ladder, (run) => this.runs.get(run)?.parts, firstSegments(this.timeline, this.runs));
    if (this.edges.get(this.edgeKey) !== this.edge) this.edges.register(this.edgeKey, this.edge);
    this.edge.publish(playlists, segments, upcoming);
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(job).catch((err: unknown) => this.o.log.error('packager update failed', { err }));
    return this.queue;
  }

  /** Segments that leave the window (and are not recorded) go on the list to delete. */
  private retireOutOfWindow(): void {
    const at = Date.now();
    for (const { rendition, segment } of this.timeline.trim(this.o.windowS)) {
      if (this.recording.keeps(rendition, segment)) continue;
      const dir = this.timeline.runs.get(segment.run)!.dir;
      this.retired.push({ file: path.join(this.o.root, dir, mediaSegmentName(rendition, segment.number)), run: segment.run, at });
    }
  }

  /** Deletes the segments retired before `before`, then the directories of ended runs nothing refers to any more. */
  private async deleteRetired(before: number): Promise<void> {
    const due = [];
    while (this.retired.length > 0 && this.retired[0]!.at <= before) due.push(this.retired.shift()!);
    await Promise.all(due.map((r) => fsp.rm(r.file, { force: true })));
    for (const run of this.timeline.unreferencedRuns()) {
      if (!this.runs.get(run.index)?.ended || this.retired.some((r) => r.run === run.index)) continue;
      if (!this.recording.keepsRun(run.index)) await fsp.rm(path.join(this.o.root, run.dir), { recursive: true, force: true });
      this.timeline.runs.delete(run.index);
    }
  }

  private async write(): Promise<void> {
    if (!this.playable) return;
    const { windowS, utcTimingUrl } = this.o;
    const chunkS = partDurationS(this.o.ladder.rungs[0]!.fps);
    const live = { windowS, utcTimingUrl, now: new Date(), chunkS, firstSegments: firstSegments(this.timeline, this.runs), writingRun: writingRun(this.runs) };
    await writeManifests(this.o.root, this.timeline, this.o.ladder, { ended: this.finished, ...live });
  }
}
