import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initSegmentName, mediaSegmentName } from '../src/media/media-layout.js';
import { GrowingSegment, WRITING_SUFFIX } from '../src/packager/growing-segment.js';
import { readInitFile } from '../src/packager/segment-file.js';
import { makeCmafRun } from './fixtures/cmaf-run.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const makeTempDir = tempDirs();

/** Top-level box ends in a CMAF file: where a writer that appends whole boxes could stop. */
function boxEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let pos = 0; pos + 8 <= bytes.length; ) {
    pos += bytes.readUInt32BE(pos);
    ends.push(pos);
  }
  return ends;
}

// A real segment of Axon's FFmpeg command, written again by the test the way FFmpeg's dash muxer writes it:
// appended under the temporary name, a few bytes at a time, then renamed complete.
describe('GrowingSegment', () => {
  let source: string;
  beforeAll(async () => {
    source = makeTempDir('axon-growing-src-');
    await makeCmafRun(source, 5);
  }, 30_000);

  // Expected sizes: none (the buffer grows by doubling), too small (it outgrows the guess), larger than the segment.
  it.each([0, 4096, 4_000_000])('finds each part once its fragment is whole, and the parts of a complete segment are its bytes (expected size %i)', async (expectedBytes) => {
    const dir = makeTempDir('axon-growing-');
    const name = mediaSegmentName('0', 2);
    const bytes = fs.readFileSync(path.join(source, name));
    const init = () => readInitFile(path.join(source, initSegmentName('0')));
    const seg = new GrowingSegment(path.join(dir, name), 2, expectedBytes);
    expect(await seg.read(init)).toBe(false);
    expect(seg.started).toBe(false);

    const writing = path.join(dir, name + WRITING_SUFFIX);
    const ends = boxEnds(bytes);
    let written = 0;
    let firstView = seg.bytes;
    const partsAt: number[] = [];
    // Half a box, then the rest of it: a part never shows before its mdat is whole.
    for (const end of ends) {
      const half = written + Math.floor((end - written) / 2);
      fs.appendFileSync(writing, bytes.subarray(written, half));
      await seg.read(init);
      const before = seg.parts.length;
      fs.appendFileSync(writing, bytes.subarray(half, end));
      written = end;
      await seg.read(init);
      if (seg.parts.length > before) partsAt.push(end);
      expect(seg.bytes.equals(bytes.subarray(0, end))).toBe(true);
      // What the origin already holds of the segment never changes as it grows.
      expect(firstView.equals(bytes.subarray(0, firstView.length))).toBe(true);
      firstView = firstView.length > 0 ? firstView : seg.bytes;
    }
    expect(seg.complete).toBe(false);
    fs.renameSync(writing, path.join(dir, name));
    expect(await seg.read(init)).toBe(true);
    expect(seg.complete).toBe(true);

    // 2 s of 30 fps in 0.5 s parts: 4 of 15 frames, the first a keyframe.
    expect(seg.parts.map((p) => p.durationS)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(seg.parts.map((p) => p.independent)).toEqual([true, false, false, false]);
    expect(partsAt).toEqual(seg.parts.map((p) => p.offset + p.length));
    expect(seg.parts[0]!.offset).toBe(0);
    for (let i = 1; i < seg.parts.length; i++) expect(seg.parts[i]!.offset).toBe(seg.parts[i - 1]!.offset + seg.parts[i - 1]!.length);
    expect(seg.parts.at(-1)!.offset + seg.parts.at(-1)!.length).toBe(bytes.length);
  });

  it('marks every audio part independent', async () => {
    const dir = makeTempDir('axon-growing-audio-');
    const name = mediaSegmentName('2', 1);
    fs.copyFileSync(path.join(source, name), path.join(dir, name));
    const seg = new GrowingSegment(path.join(dir, name), 1);
    await seg.read(() => readInitFile(path.join(source, initSegmentName('2'))));
    expect(seg.complete).toBe(true);
    expect(seg.parts.length).toBeGreaterThanOrEqual(3);
    expect(seg.parts.every((p) => p.independent)).toBe(true);
  });
});
