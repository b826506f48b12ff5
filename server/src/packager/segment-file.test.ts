import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/fixtures/temp-dirs.js';
import { EMPTY_SEGMENT, readSegmentFileTiming } from './segment-file.js';

const box = (type: string, body = Buffer.alloc(0)) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
};

const tempDir = tempDirs();

describe('readSegmentFileTiming', () => {
  const dir = tempDir('axon-segfile-');
  const init = async () => ({ timescale: 15360, defaultSampleDuration: 0, defaultSampleFlags: 0 });

  it('is null for a segment FFmpeg has not renamed into place', async () => {
    expect(await readSegmentFileTiming(path.join(dir, 'missing.m4s'), init)).toBeNull();
  });

  it('tells an empty segment (no fragment, as FFmpeg flushes after a silent source) from a broken one', async () => {
    const empty = path.join(dir, 'empty.m4s');
    fs.writeFileSync(empty, box('styp', Buffer.from('cmfs0000')));
    expect(await readSegmentFileTiming(empty, init)).toBe(EMPTY_SEGMENT);
    const broken = path.join(dir, 'broken.m4s');
    const cut = box('moof', Buffer.alloc(92)).subarray(0, 40); // declares 100 bytes, has 40
    fs.writeFileSync(broken, Buffer.concat([box('styp'), cut]));
    await expect(readSegmentFileTiming(broken, init)).rejects.toThrow(/truncated|tfdt/);
  });
});
