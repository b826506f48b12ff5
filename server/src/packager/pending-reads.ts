import { parseRunFile } from '../media/media-layout.js';
import { WRITING_SUFFIX } from './growing-segment.js';

/** The rendition of a segment file FFmpeg finished, or of one it is writing; undefined for any other file. */
export function segmentRendition(name: string): string | undefined {
  const complete = name.endsWith(WRITING_SUFFIX) ? name.slice(0, -WRITING_SUFFIX.length) : name;
  const file = parseRunFile(complete);
  return file?.kind === 'segment' ? file.rendition : undefined;
}

/**
 * What a run's next refresh reads: the renditions whose files changed since it was queued, or every
 * rendition. FFmpeg appends to each rendition's growing segment several times a second; reading only the
 * file that changed, rather than all of them at each append, keeps the packager's reads in step with the
 * bytes written.
 */
export class PendingReads {
  private renditions: Set<string> | 'all' | null = null;

  /** A refresh is queued and has not started: what changes meanwhile joins it. */
  get queued(): boolean {
    return this.renditions !== null;
  }

  /** `rendition`'s files changed; without one, read every rendition (the poll, the run's end). */
  add(rendition?: string): void {
    if (rendition === undefined) this.renditions = 'all';
    else if (this.renditions === null) this.renditions = new Set([rendition]);
    else if (this.renditions !== 'all') this.renditions.add(rendition);
  }

  /** The refresh starts: what it reads (undefined: every rendition); later changes queue another one. */
  take(): ReadonlySet<string> | undefined {
    const taken = this.renditions;
    this.renditions = null;
    return taken === 'all' || taken === null ? undefined : taken;
  }
}
