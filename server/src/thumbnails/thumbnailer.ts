import path from 'node:path';
import type { Logger } from '../log.js';
import { initSegmentName, videoRenditionId } from '../media/media-layout.js';
import { writeAtomic } from '../packager/atomic-file.js';
import type { ScannedSegment } from '../packager/segment-scanner.js';
import { grabFrame, type SegmentFiles } from './frame-grab.js';
import { thumbnailVersion } from './thumbnail-version.js';

/** How often a live broadcast's thumbnail is renewed: a card or a link preview needs no fresher picture. */
export const THUMBNAIL_INTERVAL_MS = 10_000;

const TOP_RUNG = videoRenditionId(0);

export interface ThumbnailerOptions {
  ffmpegPath: string;
  /** Where each new picture is written: the livestream's thumbnail, and its recording's when the broadcast is recorded. */
  files: readonly string[];
  intervalMs?: number;
  log: Logger;
  /** Told the version of each new picture once its files are written: the API builds the picture's URL from it. */
  onPicture?: (version: string) => Promise<void>;
}

/**
 * A broadcast's thumbnail: the first frame (a keyframe) of the newest top-rung segment, taken as soon as
 * the first segment is there, then at most once per interval, by one FFmpeg at a time. Viewers never cause
 * a decode: they read the file the origin serves. Segments that arrive meanwhile only replace the one
 * waiting, so a slow extraction never queues up work.
 */
export class Thumbnailer {
  /** The newest top-rung segment not pictured yet. */
  private pending: SegmentFiles | null = null;
  private grabbing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private lastStartMs = -Infinity;
  private finished = false;

  constructor(private readonly o: ThumbnailerOptions) {}

  /** A segment the packager found; only the top rung's are pictured. */
  offer(segment: Pick<ScannedSegment, 'rendition' | 'file'>): void {
    if (this.finished || segment.rendition !== TOP_RUNG) return;
    this.pending = { init: path.join(path.dirname(segment.file), initSegmentName(segment.rendition)), segment: segment.file };
    this.schedule();
  }

  /** The broadcast ended: its newest segment is pictured now (the last picture stays), and nothing after. */
  async finish(): Promise<void> {
    this.finished = true;
    clearTimeout(this.timer);
    await this.grabbing;
    await this.grab();
  }

  private schedule(): void {
    if (this.grabbing || this.timer) return;
    const wait = Math.max(0, this.lastStartMs + (this.o.intervalMs ?? THUMBNAIL_INTERVAL_MS) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.grab();
    }, wait);
  }

  private grab(): Promise<void> {
    const files = this.pending;
    if (!files) return Promise.resolve();
    this.pending = null;
    this.lastStartMs = Date.now();
    this.grabbing = this.picture(files).finally(() => {
      this.grabbing = null;
      if (this.pending && !this.finished) this.schedule();
    });
    return this.grabbing;
  }

  private async picture(files: SegmentFiles): Promise<void> {
    let jpeg: Buffer;
    try {
      jpeg = await grabFrame(files, { ffmpegPath: this.o.ffmpegPath });
      await Promise.all(this.o.files.map((file) => writeAtomic(file, jpeg)));
    } catch (err) {
      this.o.log.warn('no thumbnail from this segment', { segment: path.basename(files.segment), err });
      return;
    }
    try {
      await this.o.onPicture?.(thumbnailVersion(jpeg));
    } catch (err) {
      // The API keeps the previous picture's URL, which still serves (the newer file under it) until the next one.
      this.o.log.warn('the thumbnail version could not be stored', { err });
    }
  }
}
