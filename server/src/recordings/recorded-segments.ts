import fsp from 'node:fs/promises';
import path from 'node:path';
import { BroadcastTimeline } from '../packager/broadcast-timeline.js';
import { runIndices } from '../packager/broadcast-dir.js';
import type { InitInfo } from '../packager/cmaf-boxes.js';
import { runFile } from '../packager/hls-playlist.js';
import { EMPTY_SEGMENT, readInitFile, readSegmentFileTiming } from '../packager/segment-file.js';
import { RUN_FILES } from '../transcode/ffmpeg-args.js';
import type { Ladder } from '../transcode/ladder.js';

/**
 * Rebuilds a recorded broadcast's timeline from its files alone (a server killed mid-broadcast kept no
 * other trace): every run, every rendition, segments 1, 2, ... up to the first one missing. FFmpeg
 * renames a segment into place only once it is complete, so what is found is whole. A run's wall-clock
 * anchor comes from the time its first segment was completed (the file's modification time).
 */
export async function readRecordedSegments(broadcastDir: string, ladder: Ladder): Promise<BroadcastTimeline> {
  const ids = [...ladder.rungs.map((_, i) => String(i)), String(ladder.rungs.length)];
  const timeline = new BroadcastTimeline(ids);
  for (const run of await runIndices(broadcastDir)) {
    const runDir = path.join(broadcastDir, `r${run}`);
    timeline.addRun(run, `r${run}`);
    for (const id of ids) {
      let init: InitInfo | undefined;
      const initOnce = async () => (init ??= await readInitFile(path.join(runDir, runFile(RUN_FILES.init, id))));
      for (let n = 1; ; n++) {
        const file = path.join(runDir, runFile(RUN_FILES.media, id, n));
        // An unreadable segment (a disk error) ends the rendition's replay like a missing one.
        const timing = await readSegmentFileTiming(file, initOnce).catch(() => null);
        if (timing === EMPTY_SEGMENT) continue;
        if (!timing || !init) break;
        // add() uses the completion time only to anchor a run, at its first segment.
        const completedAt = timeline.runs.get(run)?.anchor ? new Date() : (await fsp.stat(file)).mtime;
        timeline.add(run, id, { number: n, t: timing.decodeTime, d: timing.duration, timescale: init.timescale }, completedAt);
      }
    }
  }
  return timeline;
}
