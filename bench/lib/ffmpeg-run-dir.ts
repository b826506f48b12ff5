import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { SEGMENT_DURATION_S } from '../../shared/constants.js';
import { mediaSegmentName, parseRunDirName, parseRunFile } from '../../server/src/media/media-layout.js';
import { sleep } from './benchmark.js';

/**
 * What an FFmpeg run directory (Axon's `media/<livestream>/<broadcast>/r<n>/`, or a bare reference's
 * output directory: both are written by the same arguments) says about how fast FFmpeg works: the dash
 * muxer renames each segment into place when it is complete, so its mtime is when it was finished.
 */

/** A finished segment: its number and when FFmpeg completed it (ms since the epoch). */
export interface SegmentCompletion {
  number: number;
  atMs: number;
}

/** The finished segments of one rendition (FFmpeg's representation id: "0" is the top rung), by number. */
export async function segmentCompletions(runDir: string, rendition = '0'): Promise<SegmentCompletion[]> {
  const out: SegmentCompletion[] = [];
  for (const name of await fsp.readdir(runDir)) {
    const file = parseRunFile(name);
    if (file?.kind !== 'segment' || file.rendition !== rendition) continue;
    try {
      out.push({ number: file.number, atMs: (await fsp.stat(path.join(runDir, name))).mtimeMs });
    } catch {
      // removed meanwhile
    }
  }
  return out.sort((a, b) => a.number - b.number);
}

/**
 * Media seconds produced per second of wall time, from the segments completed in [fromMs, toMs]: the
 * least-squares slope of completion time over segment number is the wall time one segment took.
 * 1.0 is real time; a ladder that cannot keep up completes its segments further and further apart.
 */
export function speedOf(completions: readonly SegmentCompletion[], fromMs: number, toMs: number, segmentS = SEGMENT_DURATION_S): number {
  const points = completions.filter((c) => c.atMs >= fromMs && c.atMs <= toMs);
  if (points.length < 3) throw new Error(`only ${points.length} segment(s) were completed in the window: too few to tell a speed`);
  const meanN = points.reduce((s, p) => s + p.number, 0) / points.length;
  const meanT = points.reduce((s, p) => s + p.atMs, 0) / points.length;
  let cov = 0;
  let varN = 0;
  for (const p of points) {
    cov += (p.number - meanN) * (p.atMs - meanT);
    varN += (p.number - meanN) ** 2;
  }
  const msPerSegment = cov / varN;
  return (segmentS * 1000) / msPerSegment;
}

/** Waits until every rendition ("0" … String(count - 1)) has its first segment in `runDir`. */
export async function waitForFirstSegments(runDir: string, renditions: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const first = Array.from({ length: renditions }, (_, i) => path.join(runDir, mediaSegmentName(String(i), 1)));
  while (!first.every((f) => fs.existsSync(f))) {
    if (!alive()) throw new Error(`FFmpeg exited before writing its first segments in ${runDir}`);
    if (Date.now() > deadline) throw new Error(`no first segment of every rendition in ${runDir} within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** The directories of Axon's FFmpeg runs for a livestream: `<dataDir>/media/<id>/<broadcast>/r<n>`. */
export function axonRunDirs(dataDir: string, livestreamId: string): string[] {
  const root = path.join(dataDir, 'media', livestreamId);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((broadcast) =>
      fs
        .readdirSync(path.join(root, broadcast.name), { withFileTypes: true })
        .filter((e) => e.isDirectory() && parseRunDirName(e.name) !== undefined)
        .map((run) => path.join(root, broadcast.name, run.name)),
    );
}

/** The one FFmpeg run of a livestream's broadcast; throws if FFmpeg was restarted (the figures would mix runs). */
export function axonRunDir(dataDir: string, livestreamId: string): string {
  const dirs = axonRunDirs(dataDir, livestreamId);
  if (dirs.length !== 1) throw new Error(`expected one FFmpeg run for ${livestreamId}, found ${dirs.length}: ${dirs.join(', ')}`);
  return dirs[0]!;
}
