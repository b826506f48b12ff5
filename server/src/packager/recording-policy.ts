import type { Ladder } from '../transcode/ladder.js';
import type { TimelineSegment } from './broadcast-timeline.js';

/**
 * What the live packager asks of a broadcast's recording. The packager owns the live window; the
 * recording decides which segments outlive it, and may stop keeping them (a full disk) while the live
 * stream goes on.
 */
export interface RecordingPolicy {
  /** The broadcast's directory exists: the recording marks it as one. */
  begin(): Promise<void>;
  /** FFmpeg starts run `run`, writing `ladder` (the run's own object, kept up to date while it is written). */
  addRun(run: number, ladder: Ladder): void;
  /** A segment the live playlists now list. */
  add(run: number, rendition: string, segment: Pick<TimelineSegment, 'number' | 't' | 'd' | 'timescale'>, completedAt: Date): void;
  /** New segments were added and some may leave the window next: whether keeping them can go on. */
  checkRoom(): Promise<void>;
  /** Whether a segment that left the live window stays on disk. */
  keeps(rendition: string, segment: TimelineSegment): boolean;
  /** Whether an ended run's directory stays once the live playlists no longer name it. */
  keepsRun(run: number): boolean;
  /** Stops keeping segments beyond the window; what was kept stays. */
  stop(reason: string): void;
}

/** An unrecorded broadcast: every segment goes once it has left the live window. */
export const NOT_RECORDED: RecordingPolicy = {
  begin: async () => undefined,
  addRun: () => undefined,
  add: () => undefined,
  checkRoom: async () => undefined,
  keeps: () => false,
  keepsRun: () => false,
  stop: () => undefined,
};
