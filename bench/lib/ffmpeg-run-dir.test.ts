import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axonRunDir, segmentCompletions, speedOf } from './ffmpeg-run-dir.js';

const every = (msPerSegment: number, count: number, jitterMs: (i: number) => number = () => 0) =>
  Array.from({ length: count }, (_, i) => ({ number: i + 1, atMs: 1_000_000 + i * msPerSegment + jitterMs(i) }));

describe('speedOf', () => {
  it('is 1.0 for 2 s segments completed every 2 s, despite jitter', () => {
    expect(speedOf(every(2000, 15, (i) => (i % 2 ? 30 : -30)), 0, Infinity)).toBeCloseTo(1, 2);
  });

  it('is below 1 when segments come further apart than their duration', () => {
    expect(speedOf(every(2500, 10), 0, Infinity)).toBeCloseTo(0.8, 5);
  });

  it('uses only the segments completed inside the window', () => {
    const slowThenFast = [...every(4000, 5), ...every(2000, 10).map((c) => ({ number: c.number + 5, atMs: c.atMs + 20_000 }))];
    expect(speedOf(slowThenFast, 1_000_000 + 20_000, Infinity)).toBeCloseTo(1, 5);
  });

  it('refuses to guess from fewer than three segments', () => {
    expect(() => speedOf(every(2000, 2), 0, Infinity)).toThrow(/too few/);
  });
});

describe('run directories', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the completion time of one rendition\'s segments from their mtimes, ignoring other files', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-dir-test-'));
    const write = (name: string, atS: number) => {
      fs.writeFileSync(path.join(dir!, name), '');
      fs.utimesSync(path.join(dir!, name), atS, atS);
    };
    write('seg-0-00002.m4s', 1004);
    write('seg-0-00001.m4s', 1002);
    write('seg-1-00001.m4s', 1002);
    write('seg-0-00003.m4s.tmp', 1006);
    write('init-0.m4s', 1000);
    expect(await segmentCompletions(dir)).toEqual([
      { number: 1, atMs: 1_002_000 },
      { number: 2, atMs: 1_004_000 },
    ]);
  });

  it("finds Axon's one run of a livestream and refuses a restarted one", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-dir-test-'));
    const run = path.join(dir, 'media', 'ls-1', 'b1', 'r1');
    fs.mkdirSync(run, { recursive: true });
    expect(axonRunDir(dir, 'ls-1')).toBe(run);
    fs.mkdirSync(path.join(dir, 'media', 'ls-1', 'b1', 'r2'));
    expect(() => axonRunDir(dir!, 'ls-1')).toThrow(/found 2/);
  });
});
