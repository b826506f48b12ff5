import path from 'node:path';
import { initSegmentName, mediaSegmentName } from '../media/media-layout.js';
import type { InitInfo } from './cmaf-boxes.js';
import { GrowingSegment, type Part } from './growing-segment.js';
import { readInitFile } from './segment-file.js';

/** Complete segments whose parts stay known per rendition: LL-HLS lists parts only for the last few. */
const KEPT_SEGMENTS = 4;

/**
 * The parts of one FFmpeg run's segments, rendition by rendition: the segment each rendition is writing
 * now (growing) and the parts of its last few complete ones. Each scan reads what FFmpeg appended since
 * the previous one.
 */
export class RunParts {
  private readonly current = new Map<string, GrowingSegment>();
  private readonly inits = new Map<string, InitInfo>();
  private readonly completed = new Map<string, Map<number, readonly Part[]>>();
  private ended = false;

  constructor(
    readonly dir: string,
    renditionIds: readonly string[],
    private readonly onFailed: (rendition: string, number: number, err: unknown) => void,
  ) {
    for (const id of renditionIds) {
      this.current.set(id, this.segment(id, 1));
      this.completed.set(id, new Map());
    }
  }

  /** Reads every rendition's growing segment: whether that completed a part or a segment, and whether a segment. */
  async scan(): Promise<{ changed: boolean; segmentDone: boolean }> {
    let changed = false;
    let segmentDone = false;
    for (const [rendition, growing] of this.current) {
      for (let seg = growing; ; ) {
        if (await seg.read(() => this.init(rendition))) changed = true;
        if (!seg.complete) break;
        segmentDone = true;
        if (seg.failed !== undefined) this.onFailed(rendition, seg.number, seg.failed);
        else this.keep(rendition, seg);
        seg = this.segment(rendition, seg.number + 1, seg.bytes.length);
        this.current.set(rendition, seg);
      }
    }
    return { changed, segmentDone };
  }

  /** The segment a rendition is writing now (or is about to start); none once the run's FFmpeg has exited. */
  growing(rendition: string): GrowingSegment | undefined {
    return this.ended ? undefined : this.current.get(rendition);
  }

  /** FFmpeg has exited and its last segments were read: no segment of this run will start any more. */
  end(): void {
    this.ended = true;
  }

  /** The parts of a complete segment, while it is one of the last few. */
  partsOf(rendition: string, number: number): readonly Part[] | undefined {
    return this.completed.get(rendition)?.get(number);
  }

  private keep(rendition: string, seg: GrowingSegment): void {
    const kept = this.completed.get(rendition)!;
    kept.set(seg.number, seg.parts);
    for (const n of kept.keys()) if (n <= seg.number - KEPT_SEGMENTS) kept.delete(n);
  }

  private segment(rendition: string, number: number, expectedBytes = 0): GrowingSegment {
    return new GrowingSegment(path.join(this.dir, mediaSegmentName(rendition, number)), number, expectedBytes);
  }

  private async init(rendition: string): Promise<InitInfo> {
    let init = this.inits.get(rendition);
    if (!init) {
      init = await readInitFile(path.join(this.dir, initSegmentName(rendition)));
      this.inits.set(rendition, init);
    }
    return init;
  }
}
