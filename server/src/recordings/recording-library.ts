import fsp from 'node:fs/promises';
import type { RecordingStatus } from '../../../shared/recording.js';
import type { Logger } from '../log.js';
import { broadcastDir, isLivestreamDirName, livestreamDir } from '../media/media-layout.js';
import { type BroadcastTimeline, segmentEnd } from '../packager/broadcast-timeline.js';
import { removeLiveLeftovers } from '../packager/live-leftovers.js';
import { writeManifests } from '../packager/manifest-files.js';
import type { Ladder } from '../transcode/ladder.js';
import type { FinishedRecording, RecordingRepository } from '../store/recording-repository.js';
import { readBroadcastInfo } from './broadcast-info.js';
import type { RecordedBroadcast } from './broadcast-recording.js';
import { readRecordedSegments } from './recorded-segments.js';

export interface RecordingLibraryOptions {
  store: RecordingRepository;
  mediaDir: string;
  log: Logger;
  /** In a cluster, this node's id: it recovers and expires only the recordings whose files are on its disk. */
  nodeId?: string;
  /** Whether another process sharing the data directory broadcasts the livestream now (its files are its own). */
  liveElsewhere?: (livestreamId: string) => Promise<boolean>;
  /** Told of each recording made replayable (at a broadcast's end, or recovered at start). */
  onReady?: (recording: FinishedRecording) => void;
}

/**
 * Recordings: one per recorded broadcast, in the broadcast's own directory
 * (`<mediaDir>/<livestreamId>/<broadcastId>/`), replayed from the broadcast's CMAF segments through
 * VOD playlists and a static DASH manifest written next to them when the broadcast ends, or at the next
 * start when the server was killed before.
 */
export class RecordingLibrary {
  private readonly log: Logger;

  constructor(private readonly o: RecordingLibraryOptions) {
    this.log = o.log;
  }

  /** Where a recording's files live (the origin serves them under /live/<livestreamId>/<recordingId>/). */
  dirOf(livestreamId: string, recordingId: string): string {
    return broadcastDir(livestreamDir(this.o.mediaDir, livestreamId), recordingId);
  }

  /** Registers the recording of a broadcast that is starting. Rejects when the livestream is gone. */
  begin(livestreamId: string, broadcastId: string, startedAt: Date): Promise<void> {
    return this.o.store.begin({ id: broadcastId, livestreamId, startedAt, nodeId: this.o.nodeId });
  }

  /** Makes a broadcast that ended replayable from what the packager kept. */
  async complete(livestreamId: string, broadcastId: string, recorded: RecordedBroadcast, ladder: Ladder): Promise<void> {
    await this.finalize(livestreamId, broadcastId, recorded.timeline, ladder, recorded.interrupted ? 'interrupted' : 'complete');
  }

  /**
   * At start-up, before any broadcast: recordings still marked as recording were cut by a crash or a kill;
   * each becomes replayable up to its last complete segment. Then what ended broadcasts left that nobody
   * will play goes: live manifests (no broadcast is live yet) and directories of unrecorded broadcasts.
   * Livestreams another running process broadcasts are left alone: their files are that broadcast's.
   * In a cluster only this node's recordings are looked at, and each is finished even when its livestream
   * is live elsewhere now: that broadcast has another id, so another directory.
   */
  async recover(): Promise<void> {
    const liveElsewhere = this.o.liveElsewhere ?? (async () => false);
    for (const rec of await this.o.store.listUnfinished(this.o.nodeId ?? null)) {
      // Embedded, the processes sharing the data directory share the rows: the one broadcasting may be recording this.
      if (this.o.nodeId === undefined && (await liveElsewhere(rec.livestreamId))) {
        this.log.info('a recording is left to the process broadcasting its livestream', { livestream: rec.livestreamId, recording: rec.id });
        continue;
      }
      const dir = this.dirOf(rec.livestreamId, rec.id);
      try {
        if (!(await exists(dir))) {
          await this.o.store.delete(rec.id);
          continue;
        }
        const info = await readBroadcastInfo(dir);
        const timeline = await readRecordedSegments(dir, info);
        await this.finalize(rec.livestreamId, rec.id, timeline, info.ladder, 'interrupted');
      } catch (err) {
        this.log.error('a recording cut by a restart could not be recovered; it will be tried again at the next start', {
          livestream: rec.livestreamId,
          recording: rec.id,
          err,
        });
      }
    }
    const livestreamDirs = await fsp.readdir(this.o.mediaDir).catch(() => []);
    for (const livestreamId of livestreamDirs.filter((d) => isLivestreamDirName(d))) {
      if (await liveElsewhere(livestreamId)) continue;
      const ids = await this.o.store.idsOf(livestreamId);
      await removeLiveLeftovers(livestreamDir(this.o.mediaDir, livestreamId), async (id) => ids.has(id));
    }
  }

  /** A livestream's replayable recordings, newest first. */
  list(livestreamId: string): Promise<FinishedRecording[]> {
    return this.o.store.listFinished(livestreamId);
  }

  get(livestreamId: string, recordingId: string): Promise<FinishedRecording | undefined> {
    return this.o.store.getFinished(livestreamId, recordingId);
  }

  /** Deletes a replayable recording and its files (the caller sends it to its holding node); false when there is none with this id. */
  async remove(livestreamId: string, recordingId: string): Promise<boolean> {
    if (!(await this.get(livestreamId, recordingId))) return false;
    await this.discard(livestreamId, recordingId);
    this.log.info('recording deleted', { livestream: livestreamId, recording: recordingId });
    return true;
  }

  /** Deletes the recordings that ended before `date` (retention). Returns how many. */
  async removeEndedBefore(date: Date): Promise<number> {
    const old = await this.o.store.listEndedBefore(date, this.o.nodeId ?? null);
    for (const rec of old) await this.discard(rec.livestreamId, rec.id);
    if (old.length > 0) this.log.info('old recordings deleted', { count: old.length, endedBefore: date.toISOString() });
    return old.length;
  }

  private async finalize(livestreamId: string, id: string, timeline: BroadcastTimeline, ladder: Ladder, status: RecordingStatus): Promise<void> {
    if (!timeline.isPlayable()) {
      this.log.info('the broadcast ended before its first segment: nothing to replay', { livestream: livestreamId, recording: id });
      await this.discard(livestreamId, id);
      return;
    }
    await writeManifests(this.dirOf(livestreamId, id), timeline, ladder, { vod: true, ended: true });
    const endedAt = new Date(Math.max(...[...timeline.renditions.values()].map((r) => segmentEnd(r.segments.at(-1)!))));
    const durationS = timeline.durationS();
    if (!(await this.o.store.finish(id, { status, endedAt, durationS }))) {
      // Deleted meanwhile, with its livestream: its files go too.
      await this.discard(livestreamId, id);
      return;
    }
    this.log.info('recording ready', { livestream: livestreamId, recording: id, status, durationS: Number(durationS.toFixed(3)) });
    const ready = await this.get(livestreamId, id);
    if (ready) this.o.onReady?.(ready);
  }

  /** Files first, so a failure leaves the row to try again rather than files nobody knows of. */
  private async discard(livestreamId: string, id: string): Promise<void> {
    await fsp.rm(this.dirOf(livestreamId, id), { recursive: true, force: true });
    await this.o.store.delete(id);
  }
}

const exists = (p: string) =>
  fsp.access(p).then(
    () => true,
    () => false,
  );
