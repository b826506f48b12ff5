import fsp from 'node:fs/promises';
import { parseRunFile } from '../media/media-layout.js';
import { CmafError, type InitInfo, readFragment } from './cmaf-boxes.js';

/** A part of a segment: a byte range that ends with a whole fragment (moof + mdat). */
export interface Part {
  offset: number;
  length: number;
  durationS: number;
  /** Its first sample is a sync sample (a keyframe for video; every audio part). */
  independent: boolean;
}

/** The suffix FFmpeg's dash muxer writes a segment under until it renames it complete. */
export const WRITING_SUFFIX = '.tmp';

/** A segment file FFmpeg finished, or one it is writing. */
export function isSegmentFile(name: string): boolean {
  const complete = name.endsWith(WRITING_SUFFIX) ? name.slice(0, -WRITING_SUFFIX.length) : name;
  return parseRunFile(complete)?.kind === 'segment';
}

const EMPTY = Buffer.alloc(0);
/** Room beyond the expected size, so a segment a little larger than the one before still fits in one buffer. */
const HEADROOM = 1.25;

/**
 * One segment file as FFmpeg writes it: `<name>.tmp` growing fragment by fragment, then renamed to
 * `<name>` once complete. Each read takes what was appended since the last one (a few syscalls and the
 * new bytes) and cuts the bytes into parts: contiguous ranges covering the file, each ending with a
 * complete fragment, so the parts of a complete segment are exactly its bytes. The bytes stay in memory
 * while the segment grows: the origin serves its parts and streams it from here. New bytes are read into
 * spare room of one buffer sized from the segment before, not appended by copying the whole segment again
 * (that copy ran at every read, several times a part); bytes once read never change, so the origin's
 * views of `bytes` stay valid when the buffer grows.
 */
export class GrowingSegment {
  bytes: Buffer = EMPTY;
  readonly parts: Part[] = [];
  complete = false;
  /** Set when its bytes cannot be read as CMAF: no more parts come from it. */
  failed: unknown = undefined;
  /** Its first fragment's tfdt, once read: where it starts on the run's media timeline. */
  decodeStart: { t: number; timescale: number } | undefined;
  private parsed = 0;
  private pendingMoof: number | undefined;
  /** Holds `bytes` at its start, and room for what comes next. */
  private store: Buffer = EMPTY;

  constructor(
    /** The segment's complete name, as a path. */
    readonly file: string,
    readonly number: number,
    /** The size it is likely to reach (the rendition's previous segment's): the buffer starts that large. */
    private readonly expectedBytes = 0,
  ) {}

  get started(): boolean {
    return this.bytes.length > 0 || this.complete;
  }

  /** Reads what was appended; true when that completed a part or the segment. */
  async read(init: () => Promise<InitInfo>): Promise<boolean> {
    if (this.complete) return false;
    // The temporary name first: after a miss there, the complete name is either there or not yet.
    let writing = true;
    let handle = await openIfThere(this.file + WRITING_SUFFIX);
    if (!handle) {
      writing = false;
      handle = await openIfThere(this.file);
    }
    if (!handle) return false;
    try {
      const { size } = await handle.stat();
      const have = this.bytes.length;
      if (size > have) {
        this.makeRoom(size);
        const { bytesRead } = await handle.read(this.store, have, size - have, have);
        this.bytes = this.store.subarray(0, have + bytesRead);
      }
    } finally {
      await handle.close();
    }
    const before = this.parts.length;
    if (this.failed === undefined) {
      try {
        await this.cut(init);
      } catch (err) {
        this.failed = err;
      }
    }
    if (!writing) this.finish();
    return this.parts.length > before || this.complete;
  }

  /** A buffer of at least `size` bytes holding those read so far: grown by doubling, so each byte is copied about once. */
  private makeRoom(size: number): void {
    if (size <= this.store.length) return;
    const room = Math.max(size, 2 * this.store.length, Math.ceil(this.expectedBytes * HEADROOM));
    const store = Buffer.allocUnsafe(room);
    this.bytes.copy(store);
    this.store = store;
  }

  /** Cuts the bytes parsed so far into parts, up to the last complete box. */
  private async cut(init: () => Promise<InitInfo>): Promise<void> {
    const b = this.bytes;
    while (this.parsed + 8 <= b.length) {
      let size = b.readUInt32BE(this.parsed);
      const type = b.toString('latin1', this.parsed + 4, this.parsed + 8);
      if (size === 1) {
        if (this.parsed + 16 > b.length) return;
        size = Number(b.readBigUInt64BE(this.parsed + 8));
      }
      if (size < 8) throw new CmafError(`bad ${type} box size`);
      const end = this.parsed + size;
      if (end > b.length) return;
      if (type === 'moof') {
        this.pendingMoof = this.parsed;
      } else if (type === 'mdat' && this.pendingMoof !== undefined) {
        const info = await init();
        const fragment = readFragment(b, this.pendingMoof, info);
        if (this.decodeStart === undefined && fragment.decodeTime !== undefined) this.decodeStart = { t: fragment.decodeTime, timescale: info.timescale };
        const offset = this.parts.length ? this.parts.at(-1)!.offset + this.parts.at(-1)!.length : 0;
        this.parts.push({ offset, length: end - offset, durationS: fragment.duration / info.timescale, independent: fragment.independent });
        this.pendingMoof = undefined;
      }
      this.parsed = end;
    }
  }

  /** The file was renamed complete: whatever follows the last fragment belongs to the last part. */
  private finish(): void {
    this.complete = true;
    const last = this.parts.at(-1);
    if (last && this.failed === undefined) last.length = this.bytes.length - last.offset;
  }
}

async function openIfThere(file: string): Promise<fsp.FileHandle | undefined> {
  try {
    return await fsp.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
