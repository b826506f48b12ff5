import fsp from 'node:fs/promises';
import path from 'node:path';
import { initSegmentName, mediaSegmentName, parseRunDirName } from '../media/media-layout.js';
import type { TimelineSegment } from './broadcast-timeline.js';
import type { InitInfo } from './cmaf-boxes.js';
import { EMPTY_SEGMENT, readInitFile, readSegmentFileTiming } from './segment-file.js';

/** A segment FFmpeg has finished, timed from its own boxes. */
export interface ScannedSegment {
  rendition: string;
  /** Its path on disk. */
  file: string;
  segment: Pick<TimelineSegment, 'number' | 't' | 'd' | 'timescale'>;
}

/** What a scan does with a segment that is there but cannot be read: pass over it, or end the rendition's scan there. */
export type UnreadableSegment = (rendition: string, number: number, err: unknown) => 'skip' | 'stop';

/**
 * Reads one FFmpeg run directory the way FFmpeg fills it: each rendition's segments 1, 2, ... up to the
 * first one not there yet. FFmpeg renames a segment into place only once it is complete, so what is found
 * is whole. Each scan goes on where the previous one stopped, so the live packager scans again as FFmpeg
 * writes and the recovery of a cut recording scans once. A segment with no fragment at all (FFmpeg's
 * final flush after the source went silent writes one) is passed over.
 */
export class RunScanner {
  /** Per rendition: the next segment number expected. */
  private readonly next: Map<string, number>;
  /** Per rendition: its init segment, once read. */
  private readonly inits = new Map<string, InitInfo>();

  constructor(
    readonly dir: string,
    renditionIds: readonly string[],
    private readonly onUnreadable: UnreadableSegment,
  ) {
    this.next = new Map(renditionIds.map((id) => [id, 1]));
  }

  /** The segments completed since the previous scan, rendition by rendition, in number order. */
  async scan(): Promise<ScannedSegment[]> {
    const found: ScannedSegment[] = [];
    for (const [rendition, first] of this.next) {
      for (let number = first; ; number++) {
        const file = path.join(this.dir, mediaSegmentName(rendition, number));
        let segment;
        try {
          segment = await this.read(rendition, file, number);
        } catch (err) {
          if (this.onUnreadable(rendition, number, err) === 'stop') break;
          this.next.set(rendition, number + 1);
          continue;
        }
        if (segment === null) break;
        this.next.set(rendition, number + 1);
        if (segment !== EMPTY_SEGMENT) found.push({ rendition, file, segment });
      }
    }
    return found;
  }

  /** Timing of one segment, null while FFmpeg has not finished it. */
  private async read(rendition: string, file: string, number: number): Promise<ScannedSegment['segment'] | null | typeof EMPTY_SEGMENT> {
    let init = this.inits.get(rendition);
    const timing = await readSegmentFileTiming(file, async () => {
      init ??= await readInitFile(path.join(this.dir, initSegmentName(rendition)));
      this.inits.set(rendition, init);
      return init;
    });
    if (timing === null || timing === EMPTY_SEGMENT) return timing;
    // A timed segment asked for its init segment first.
    return { number, t: timing.decodeTime, d: timing.duration, timescale: init!.timescale };
  }
}

/** A broadcast's FFmpeg runs (r1, r2, ...), in run order. */
export async function runsOf(broadcastDir: string): Promise<number[]> {
  const entries = await fsp.readdir(broadcastDir).catch(() => []);
  return entries
    .map(parseRunDirName)
    .filter((run): run is number => run !== undefined)
    .sort((a, b) => a - b);
}
