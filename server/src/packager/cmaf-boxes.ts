/**
 * Just enough ISO-BMFF reading to time CMAF segments: the timescale and default sample duration from an
 * init segment, and a media segment's decode time and duration. Segments are trusted files that FFmpeg
 * wrote, but a truncated or foreign file still gives a CmafError, never a wrong number: every field is
 * read inside its own box.
 */
export class CmafError extends Error {}

export interface InitInfo {
  timescale: number;
  /** trex default_sample_duration, used when a fragment gives none. */
  defaultSampleDuration: number;
  /** trex default_sample_flags, used when a fragment gives none. */
  defaultSampleFlags: number;
}

export interface FragmentTiming {
  /** tfdt baseMediaDecodeTime of the first fragment. */
  decodeTime: number;
  /** Sum of the sample durations of every fragment, in the track's timescale. */
  duration: number;
}

interface Box {
  type: string;
  start: number;
  /** Offset of the payload (after the header). */
  body: number;
  end: number;
}

function* boxes(buf: Buffer, from: number, to: number): Generator<Box> {
  let pos = from;
  while (pos + 8 <= to) {
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    let header = 8;
    if (size === 1) {
      if (pos + 16 > to) throw new CmafError(`truncated ${type} box`);
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = to - pos;
    }
    if (size < header || pos + size > to) throw new CmafError(`truncated ${type} box`);
    yield { type, start: pos, body: pos + header, end: pos + size };
    pos += size;
  }
}

/** The offset of `bytes` bytes at `offset` into a box's payload; refuses a field the box is too short for. */
function field(box: Box, offset: number, bytes: number): number {
  const at = box.body + offset;
  if (at + bytes > box.end) throw new CmafError(`truncated ${box.type} box`);
  return at;
}

/** A full box's version and flags (ISO/IEC 14496-12 4.2). */
function fullBoxHeader(buf: Buffer, box: Box): { version: number; flags: number } {
  const word = buf.readUInt32BE(field(box, 0, 4));
  return { version: word >>> 24, flags: word & 0xffffff };
}

function child(buf: Buffer, parent: Box | null, type: string): Box | undefined {
  for (const b of boxes(buf, parent ? parent.body : 0, parent ? parent.end : buf.length)) if (b.type === type) return b;
  return undefined;
}

function path(buf: Buffer, types: string[]): Box | undefined {
  let box: Box | null = null;
  for (const t of types) {
    box = child(buf, box, t) ?? null;
    if (!box) return undefined;
  }
  return box ?? undefined;
}

export function readInitInfo(buf: Buffer): InitInfo {
  const mdhd = path(buf, ['moov', 'trak', 'mdia', 'mdhd']);
  if (!mdhd) throw new CmafError('init segment has no mdhd');
  const { version } = fullBoxHeader(buf, mdhd);
  const timescale = buf.readUInt32BE(field(mdhd, version === 1 ? 20 : 12, 4));
  if (timescale === 0) throw new CmafError('init segment has a zero timescale');
  const trex = path(buf, ['moov', 'mvex', 'trex']);
  const defaultSampleDuration = trex ? buf.readUInt32BE(field(trex, 12, 4)) : 0;
  const defaultSampleFlags = trex ? buf.readUInt32BE(field(trex, 20, 4)) : 0;
  return { timescale, defaultSampleDuration, defaultSampleFlags };
}

/** sample_is_non_sync_sample in a sample's flags (ISO/IEC 14496-12 8.8.3.1). */
const NON_SYNC_SAMPLE = 0x10000;

/** One fragment (a moof's track runs): its decode time, duration, and whether its first sample is a sync sample. */
export interface Fragment {
  decodeTime: number | undefined;
  duration: number;
  independent: boolean;
}

function readTraf(buf: Buffer, traf: Box, init: InitInfo, into: Fragment, first: boolean): void {
  let defaultDuration = init.defaultSampleDuration;
  let defaultFlags = init.defaultSampleFlags;
  for (const b of boxes(buf, traf.body, traf.end)) {
    if (b.type === 'tfhd') {
      const { flags } = fullBoxHeader(buf, b);
      let off = 8;
      if (flags & 0x01) off += 8;
      if (flags & 0x02) off += 4;
      if (flags & 0x08) {
        defaultDuration = buf.readUInt32BE(field(b, off, 4));
        off += 4;
      }
      if (flags & 0x10) off += 4;
      if (flags & 0x20) defaultFlags = buf.readUInt32BE(field(b, off, 4));
    } else if (b.type === 'tfdt' && into.decodeTime === undefined) {
      const { version } = fullBoxHeader(buf, b);
      into.decodeTime = version === 1 ? Number(buf.readBigUInt64BE(field(b, 4, 8))) : buf.readUInt32BE(field(b, 4, 4));
    } else if (b.type === 'trun') {
      const { flags } = fullBoxHeader(buf, b);
      const count = buf.readUInt32BE(field(b, 4, 4));
      let off = 8;
      if (flags & 0x01) off += 4;
      const firstSampleFlags = flags & 0x04 ? buf.readUInt32BE(field(b, off, 4)) : undefined;
      if (flags & 0x04) off += 4;
      const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
      const samples = field(b, off, count * perSample);
      if (flags & 0x100) {
        for (let i = 0; i < count; i++) into.duration += buf.readUInt32BE(samples + i * perSample);
      } else {
        into.duration += count * defaultDuration;
      }
      if (first && count > 0) {
        const sampleFlagsAt = samples + (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0);
        const sampleFlags = firstSampleFlags ?? (flags & 0x400 ? buf.readUInt32BE(sampleFlagsAt) : defaultFlags);
        into.independent = (sampleFlags & NON_SYNC_SAMPLE) === 0;
        first = false;
      }
    }
  }
}

/** The fragment one moof describes; `moofStart` is the offset of the moof box in `buf`. */
export function readFragment(buf: Buffer, moofStart: number, init: InitInfo): Fragment {
  const moof = boxes(buf, moofStart, buf.length).next().value;
  if (moof?.type !== 'moof') throw new CmafError('expected a moof box');
  const fragment: Fragment = { decodeTime: undefined, duration: 0, independent: false };
  let first = true;
  for (const traf of boxes(buf, moof.body, moof.end)) {
    if (traf.type !== 'traf') continue;
    readTraf(buf, traf, init, fragment, first);
    first = false;
  }
  return fragment;
}

export function readFragmentTiming(buf: Buffer, init: InitInfo): FragmentTiming {
  let decodeTime: number | undefined;
  let duration = 0;
  for (const moof of boxes(buf, 0, buf.length)) {
    if (moof.type !== 'moof') continue;
    const fragment = readFragment(buf, moof.start, init);
    decodeTime ??= fragment.decodeTime;
    duration += fragment.duration;
  }
  if (decodeTime === undefined) throw new CmafError('segment has no tfdt');
  if (duration <= 0) throw new CmafError('segment has no sample durations');
  // 64-bit fields beyond 2^53 would come out rounded: a foreign file, refused rather than mistimed.
  if (!Number.isSafeInteger(decodeTime) || !Number.isSafeInteger(duration)) throw new CmafError('segment timing out of range');
  return { decodeTime, duration };
}
