import fsp from 'node:fs/promises';
import path from 'node:path';
import { renditionIds, runDirName } from '../media/media-layout.js';
import { BroadcastTimeline } from '../packager/broadcast-timeline.js';
import { RunScanner, runsOf } from '../packager/segment-scanner.js';
import { type BroadcastInfo, runLadderOf } from './broadcast-info.js';

/**
 * Rebuilds a recorded broadcast's timeline from its files alone (a server killed mid-broadcast kept no
 * other trace but its info): every run, every rendition, up to its first segment missing. A run's wall-clock
 * anchor comes from the time its first segment was completed (the file's modification time).
 */
export async function readRecordedSegments(broadcastDir: string, info: BroadcastInfo): Promise<BroadcastTimeline> {
  const ids = renditionIds(info.ladder);
  const timeline = new BroadcastTimeline(ids);
  for (const run of await runsOf(broadcastDir)) {
    timeline.addRun(run, runDirName(run), runLadderOf(info, run));
    // An unreadable segment (a disk error) ends the rendition's replay like a missing one.
    const scanner = new RunScanner(path.join(broadcastDir, runDirName(run)), ids, () => 'stop');
    for (const { rendition, file, segment } of await scanner.scan()) {
      // add() uses the completion time only to anchor a run, at its first segment.
      const completedAt = timeline.runs.get(run)?.anchor ? new Date() : (await fsp.stat(file)).mtime;
      timeline.add(run, rendition, segment, completedAt);
    }
  }
  return timeline;
}
