/**
 * Just enough ISO-BMFF reading to time CMAF segments: the timescale and default sample duration from an
 * init segment, and a media segment's decode time and duration. Segments are trusted files that FFmpeg
 * wrote, but a truncated or foreign file still gives an error, never a wrong number.
 */
export interface InitInfo {
  timescale: number;
  /** trex default_sample_duration, used when a fragment gives none. */
  defaultSampleDuration: number;
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
      if (pos + 16 > to) throw new Error(`truncated ${type} box`);
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = to - pos;
    }
    if (size < header || pos + size > to) throw new Error(`truncated ${type} box`);
    yield { type, start: pos, body: pos + header, end: pos + size };
    pos += size;
  }
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
  if (!mdhd) throw new Error('init segment has no mdhd');
  const version = buf.readUInt8(mdhd.body);
  const timescale = buf.readUInt32BE(mdhd.body + (version === 1 ? 20 : 12));
  if (timescale === 0) throw new Error('init segment has a zero timescale');
  const trex = path(buf, ['moov', 'mvex', 'trex']);
  const defaultSampleDuration = trex ? buf.readUInt32BE(trex.body + 12) : 0;
  return { timescale, defaultSampleDuration };
}

export function readFragmentTiming(buf: Buffer, init: InitInfo): FragmentTiming {
  let decodeTime: number | undefined;
  let duration = 0;
  for (const moof of boxes(buf, 0, buf.length)) {
    if (moof.type !== 'moof') continue;
    for (const traf of boxes(buf, moof.body, moof.end)) {
      if (traf.type !== 'traf') continue;
      let defaultDuration = init.defaultSampleDuration;
      for (const b of boxes(buf, traf.body, traf.end)) {
        const flags = buf.readUInt32BE(b.body) & 0xffffff;
        if (b.type === 'tfhd') {
          let off = b.body + 8;
          if (flags & 0x01) off += 8;
          if (flags & 0x02) off += 4;
          if (flags & 0x08) defaultDuration = buf.readUInt32BE(off);
        } else if (b.type === 'tfdt' && decodeTime === undefined) {
          decodeTime = buf.readUInt8(b.body) === 1 ? Number(buf.readBigUInt64BE(b.body + 4)) : buf.readUInt32BE(b.body + 4);
        } else if (b.type === 'trun') {
          const count = buf.readUInt32BE(b.body + 4);
          let off = b.body + 8;
          if (flags & 0x01) off += 4;
          if (flags & 0x04) off += 4;
          const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
          if (off + count * perSample > b.end) throw new Error('truncated trun box');
          if (flags & 0x100) {
            for (let i = 0; i < count; i++) duration += buf.readUInt32BE(off + i * perSample);
          } else {
            duration += count * defaultDuration;
          }
        }
      }
    }
  }
  if (decodeTime === undefined) throw new Error('segment has no tfdt');
  if (duration <= 0) throw new Error('segment has no sample durations');
  return { decodeTime, duration };
}
