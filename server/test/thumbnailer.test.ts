import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mediaSegmentName } from '../src/media/media-layout.js';
import { grabFrame } from '../src/thumbnails/frame-grab.js';
import { Thumbnailer } from '../src/thumbnails/thumbnailer.js';
import { thumbnailVersion } from '../src/thumbnails/thumbnail-version.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { makeCmafRun } from './fixtures/cmaf-run.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const makeTempDir = tempDirs();

// A real run of Axon's segments (7 s: four top-rung segments), pictured by real FFmpeg behind a wrapper
// that notes each extraction and any that overlaps another.
let runDir: string;
beforeAll(async () => {
  runDir = path.join(makeTempDir('axon-thumbnailer-run-'), 'r1');
  await makeCmafRun(runDir, 7);
}, 60_000);

const topRung = (number: number) => ({ rendition: '0', file: path.join(runDir, mediaSegmentName('0', number)) });

function setUp(intervalMs?: number) {
  const dir = makeTempDir('axon-thumbnailer-');
  const events = path.join(dir, 'events.log');
  const ffmpeg = path.join(dir, 'ffmpeg');
  // Each extraction holds a lock directory for its whole run: a second one that finds it taken overlaps.
  fs.writeFileSync(
    ffmpeg,
    `#!/bin/sh\nmkdir '${dir}/lock' 2>/dev/null || echo overlap >> '${events}'\necho start >> '${events}'\n` +
      `sleep 0.3\nffmpeg "$@"\nrc=$?\nrmdir '${dir}/lock'\nexit $rc\n`,
    { mode: 0o755 },
  );
  const log = capturedLogger();
  const files = [path.join(dir, 'live.jpg'), path.join(dir, 'recording.jpg')];
  const versions: string[] = [];
  const thumbnailer = new Thumbnailer({ ffmpegPath: ffmpeg, files, intervalMs, log, onPicture: async (version) => void versions.push(version) });
  const lines = () => (fs.existsSync(events) ? fs.readFileSync(events, 'utf8').trim().split('\n') : []);
  return { thumbnailer, files, log, versions, starts: () => lines().filter((l) => l === 'start').length, overlaps: () => lines().filter((l) => l === 'overlap').length };
}

const frameOf = (number: number) => grabFrame({ init: path.join(runDir, 'init-0.m4s'), segment: topRung(number).file }, { ffmpegPath: 'ffmpeg' });

describe('Thumbnailer (real FFmpeg)', () => {
  it('runs one extraction at a time however fast segments come, and pictures the newest', async () => {
    const { thumbnailer, files, starts, overlaps } = setUp(0);
    for (const number of [1, 2, 3]) thumbnailer.offer(topRung(number));
    await new Promise((r) => setTimeout(r, 100));
    // While the first extraction runs, newer segments only replace the one waiting.
    thumbnailer.offer(topRung(4));
    await thumbnailer.finish();
    expect(overlaps()).toBe(0);
    expect(starts()).toBeGreaterThanOrEqual(2);
    expect(starts()).toBeLessThan(4);
    const newest = await frameOf(4);
    for (const file of files) expect(fs.readFileSync(file).equals(newest)).toBe(true);
  });

  it('takes the first segment at once, then waits for the interval, except at the end', async () => {
    const { thumbnailer, files, versions, starts } = setUp(60_000);
    thumbnailer.offer(topRung(1));
    await waitFor('the first picture', () => files.every((file) => fs.existsSync(file)));
    expect(fs.readFileSync(files[0]!).equals(await frameOf(1))).toBe(true);
    thumbnailer.offer(topRung(2));
    thumbnailer.offer(topRung(3));
    await new Promise((r) => setTimeout(r, 500));
    expect(starts()).toBe(1);
    // The broadcast ends: its last segment is pictured without waiting, and nothing is taken after.
    await thumbnailer.finish();
    expect(starts()).toBe(2);
    expect(fs.readFileSync(files[0]!).equals(await frameOf(3))).toBe(true);
    // Each picture is told once its files are there, under a version of its own.
    expect(versions).toEqual([thumbnailVersion(await frameOf(1)), thumbnailVersion(await frameOf(3))]);
    expect(versions[0]).not.toBe(versions[1]);
    thumbnailer.offer(topRung(4));
    await new Promise((r) => setTimeout(r, 200));
    expect(starts()).toBe(2);
  });

  it('pictures only the top rung, and a segment it cannot read costs a warning, not the broadcast', async () => {
    const { thumbnailer, files, log, versions, starts } = setUp(0);
    thumbnailer.offer({ rendition: '1', file: path.join(runDir, mediaSegmentName('1', 1)) });
    thumbnailer.offer({ rendition: '0', file: path.join(runDir, mediaSegmentName('0', 99)) });
    await thumbnailer.finish();
    expect(starts()).toBe(1);
    expect(fs.existsSync(files[0]!)).toBe(false);
    expect(versions).toEqual([]);
    expect(log.lines.some((l) => l.level === 'warn' && l.text.startsWith('no thumbnail from this segment') && l.text.includes('seg-0-00099.m4s'))).toBe(true);
  });

  it('makes a JPEG no wider than the rung', async () => {
    const jpeg = await frameOf(1);
    expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    // SOF0 carries the height, then the width.
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    expect({ width: jpeg.readUInt16BE(sof + 7), height: jpeg.readUInt16BE(sof + 5) }).toEqual({ width: 320, height: 180 });
  });
});
