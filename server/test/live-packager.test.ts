import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BROADCAST_INFO_FILE, initSegmentName, mediaSegmentName } from '../src/media/media-layout.js';
import { LivePackager } from '../src/packager/live-packager.js';
import { readBroadcastInfo } from '../src/recordings/broadcast-info.js';
import { BroadcastRecording } from '../src/recordings/broadcast-recording.js';
import { runLadder } from '../src/packager/broadcast-timeline.js';
import type { Ladder } from '../src/transcode/ladder.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { makeCmafRun, SMALL_LADDER, SMALL_LADDER_IDS } from './fixtures/cmaf-run.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const makeTempDir = tempDirs();

// The packager against real CMAF segments, with FFmpeg played by the test: each segment is renamed into
// the run directory the way FFmpeg's dash muxer does it, so every step is deterministic.
const BROADCAST = 'btest00001';
let source: string;
beforeAll(async () => {
  source = makeTempDir('axon-packager-src-');
  await makeCmafRun(source, 20);
});

const packagers: LivePackager[] = [];
afterEach(() => packagers.splice(0).forEach((p) => p.close()));

async function setUp(o: { record: boolean; freeBytes?: () => Promise<number>; retiredGraceMs?: number; root?: string; broadcastId?: string; ladder?: Ladder }) {
  const root = o.root ?? path.join(makeTempDir('axon-packager-'), 'livestream-0001');
  const log = capturedLogger();
  const common = { broadcastId: o.broadcastId ?? BROADCAST, ladder: o.ladder ?? SMALL_LADDER, windowS: 6, log };
  const recording = o.record ? new BroadcastRecording({ ...common, dir: path.join(root, BROADCAST), ...(o.freeBytes && { freeBytes: o.freeBytes }) }) : undefined;
  const packager = new LivePackager({
    ...common,
    root,
    utcTimingUrl: 'http://127.0.0.1:1/api/time',
    recording,
    // Deleted as soon as they leave the playlists, unless a test is about the grace.
    retiredGraceMs: o.retiredGraceMs ?? 0,
  });
  packagers.push(packager);
  await fsp.mkdir(root, { recursive: true });
  return { root, log, packager, recording };
}

/** Starts run `index` (1) and returns a function that has "FFmpeg" finish segment n of every rendition. */
async function startRun(packager: LivePackager, index = 1) {
  const runDir = await packager.startRun(index);
  for (const id of SMALL_LADDER_IDS) await fsp.copyFile(path.join(source, initSegmentName(id)), path.join(runDir, initSegmentName(id)));
  return async (n: number) => {
    for (const id of SMALL_LADDER_IDS) {
      const name = mediaSegmentName(id, n);
      await fsp.copyFile(path.join(source, name), path.join(runDir, `${name}.tmp`));
      await fsp.rename(path.join(runDir, `${name}.tmp`), path.join(runDir, name));
    }
    const last = (id: string) => packager.timeline.renditions.get(id)!.segments.at(-1);
    await waitFor(`segment ${n}`, () => SMALL_LADDER_IDS.every((id) => last(id)?.run === index && last(id)?.number === n));
  };
}

const onDisk = (root: string, n: number) => fs.existsSync(path.join(root, BROADCAST, 'r1', mediaSegmentName('0', n)));
const listed = (playlist: string) => [...playlist.matchAll(/seg-0-(\d+)\.m4s/g)].map((m) => Number(m[1]));
const playlist = (root: string) => fsp.readFile(path.join(root, `${SMALL_LADDER.rungs[0]!.name}.m3u8`), 'utf8');
const mediaSequence = (playlist: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)\n/.exec(playlist)![1]);

describe('LivePackager: the DVR window and what is kept', () => {
  it('without recording, deletes the segments that leave the window', async () => {
    const { root, packager } = await setUp({ record: false });
    await packager.prepare();
    const finish = await startRun(packager);
    for (let n = 1; n <= 8; n++) await finish(n);
    // 6 s window behind the newest end (16 s): the segments ending at 12, 14 and 16 s.
    expect(listed(await playlist(root))).toEqual([6, 7, 8]);
    // Deleted right after the playlists that no longer list them are written.
    await waitFor('segments 1-5 to go', () => [1, 2, 3, 4, 5].every((n) => !onDisk(root, n)));
    expect(fs.existsSync(path.join(root, BROADCAST, BROADCAST_INFO_FILE))).toBe(false);
  });

  it('keeps a segment that left the playlists for a grace period, for players that loaded the previous playlist', async () => {
    const { root, packager } = await setUp({ record: false, retiredGraceMs: 1500 });
    await packager.prepare();
    const finish = await startRun(packager);
    for (let n = 1; n <= 8; n++) await finish(n);
    expect(listed(await playlist(root))).toEqual([6, 7, 8]);
    expect([1, 2, 3, 4, 5].map((n) => onDisk(root, n))).toEqual([true, true, true, true, true]);
    // No new segment needed: the packager's regular check deletes them once the grace has passed.
    await waitFor('the retired segments to go', () => [1, 2, 3, 4, 5].every((n) => !onDisk(root, n)));
    expect([6, 7, 8].map((n) => onDisk(root, n))).toEqual([true, true, true]);
  });

  it('while recording, windows the live playlists but keeps every segment for the replay', async () => {
    const { root, packager, recording } = await setUp({ record: true, freeBytes: async () => 1e12 });
    const firstNumber = packager.timeline.renditions.get('0')!.mediaSequence;
    await packager.prepare();
    expect((await readBroadcastInfo(path.join(root, BROADCAST))).ladder).toEqual(SMALL_LADDER);
    const finish = await startRun(packager);
    for (let n = 1; n <= 8; n++) await finish(n);
    const live = await playlist(root);
    expect(listed(live)).toEqual([6, 7, 8]);
    expect(mediaSequence(live)).toBe(packager.timeline.renditions.get('0')!.mediaSequence);
    expect(mediaSequence(live) - firstNumber).toBe(5);
    expect([1, 2, 3, 4, 5, 6, 7, 8].every((n) => onDisk(root, n))).toBe(true);
    await packager.endRuns();
    const recorded = recording!.recorded;
    expect(recorded.interrupted).toBe(false);
    expect(recorded.timeline.renditions.get('0')!.segments.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(recorded.timeline.runs.get(1)!.dir).toBe('r1');
    expect(recorded.timeline.durationS()).toBeCloseTo(16, 1);
    await packager.finish();
    expect(await playlist(root)).toContain('#EXT-X-ENDLIST');
  });

  it('stops recording when the disk fills up: one clear log line, the kept part stays, the live stream goes on', async () => {
    let free = 1e12;
    const { root, log, packager, recording } = await setUp({ record: true, freeBytes: async () => free });
    await packager.prepare();
    const finish = await startRun(packager);
    for (let n = 1; n <= 4; n++) await finish(n);
    free = 10e6;
    await finish(5);
    expect(recording!.isRecording).toBe(false);
    const lines = log.lines.filter((l) => l.text.startsWith('recording stopped'));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('error');
    expect(lines[0]!.text).toMatch(/^recording stopped: disk full \(10 MB free, the live window needs \d+ MB\); the live stream goes on/);

    for (let n = 6; n <= 10; n++) await finish(n);
    expect(listed(await playlist(root))).toEqual([8, 9, 10]);
    // Segments 1-5 are the recording; 6 and 7 were only ever live and left the window.
    await waitFor('segments 6 and 7 to go', () => !onDisk(root, 6) && !onDisk(root, 7));
    expect([1, 2, 3, 4, 5].map((n) => onDisk(root, n))).toEqual([true, true, true, true, true]);
    await packager.endRuns();
    expect(recording!.recorded.interrupted).toBe(true);
    expect(recording!.recorded.timeline.renditions.get('0')!.segments.map((s) => s.number)).toEqual([1, 2, 3, 4, 5]);
  });

  it('numbers the next broadcast of the livestream above the one before, so a cached blocking answer never names another broadcast', async () => {
    const first = await setUp({ record: false });
    const startedAt = Date.now();
    await first.packager.prepare();
    await (await startRun(first.packager))(1);
    const firstLive = await playlist(first.root);
    const lastUsed = mediaSequence(firstLive) + listed(firstLive).length - 1;
    await first.packager.finish();
    // The next broadcast starts once the first one's 2 s of media were sent in real time.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 2000 - Date.now())));
    const second = await setUp({ record: false, root: first.root, broadcastId: 'btest00002' });
    await second.packager.prepare();
    await (await startRun(second.packager))(1);
    expect(mediaSequence(await playlist(second.root))).toBeGreaterThan(lastUsed);
  });

  it('clears what earlier broadcasts left, except the recorded ones', async () => {
    const { root, packager } = await setUp({ record: false });
    await fsp.writeFile(path.join(root, 'master.m3u8'), '#EXTM3U\n');
    await fsp.writeFile(path.join(root, 'manifest.mpd'), '<MPD/>');
    await fsp.mkdir(path.join(root, 'bunrecorded1', 'r1'), { recursive: true });
    await fsp.mkdir(path.join(root, 'brecorded01', 'r1'), { recursive: true });
    await fsp.writeFile(path.join(root, 'brecorded01', BROADCAST_INFO_FILE), '{}');
    await packager.prepare();
    expect(fs.readdirSync(root).sort()).toEqual(['brecorded01', BROADCAST]);
  });
});

/** Segments the MPD lists in its first rendition's SegmentTimeline, announced ones included. */
const dashSegments = async (root: string) => {
  const mpd = await fsp.readFile(path.join(root, 'manifest.mpd'), 'utf8');
  const timeline = /<SegmentTimeline>(.*?)<\/SegmentTimeline>/.exec(mpd)![1]!;
  return [...timeline.matchAll(/<S [^>]*?(?:r="(\d+)")?\/>/g)].reduce((sum, m) => sum + 1 + Number(m[1] ?? 0), 0);
};

describe('LivePackager: a run that ended', () => {
  it('announces none of the segments it would have written next, even when FFmpeg flushed none at exit', async () => {
    const { root, packager } = await setUp({ record: false });
    await packager.prepare();
    const finish = await startRun(packager);
    for (let n = 1; n <= 2; n++) await finish(n);
    // LL-DASH: the segment being written and the one after it, beyond the two complete ones.
    await waitFor('the announced segments', async () => ((await dashSegments(root)) === 4 ? true : undefined));
    await packager.endRun(1);
    expect(await dashSegments(root)).toBe(2);
  });
});

describe('LivePackager: what each run wrote', () => {
  it('declares each run with the rungs the session declared for it, in the MPD, the recording and its info', async () => {
    // The session's ladder, which it re-declares in place: run 1 copies a Baseline top rung, run 2 encodes.
    const ladder = runLadder(SMALL_LADDER);
    const { root, packager, recording } = await setUp({ record: true, freeBytes: async () => 1e12, ladder });
    await packager.prepare();
    const encodedTop = SMALL_LADDER.rungs[0]!;
    ladder.rungs[0] = { ...encodedTop, codec: 'avc1.42C00D', videoBitrate: 300_000 };
    const finish1 = await startRun(packager, 1);
    await finish1(1);
    // Measured as the run goes on.
    ladder.rungs[0] = { ...ladder.rungs[0], videoBitrate: 310_000 };
    await finish1(2);
    await packager.endRun(1);
    ladder.rungs[0] = encodedTop;
    const finish2 = await startRun(packager, 2);
    await finish2(1);

    const mpd = await fsp.readFile(path.join(root, 'manifest.mpd'), 'utf8');
    const tops = [...mpd.matchAll(/<Representation id="0" bandwidth="(\d+)" [^>]*codecs="([^"]+)"/g)].map((m) => `${m[2]}/${m[1]}`);
    expect(tops).toEqual(['avc1.42C00D/310000', `${encodedTop.codec}/${encodedTop.videoBitrate}`]);
    expect(recording!.recorded.timeline.runs.get(1)!.ladder.rungs[0]).toMatchObject({ codec: 'avc1.42C00D', videoBitrate: 310_000 });
    // A replay recovered after a crash declares each run as it started.
    const info = await waitFor('both runs in the info', async () => {
      const read = await readBroadcastInfo(path.join(root, BROADCAST));
      return Object.keys(read.runs ?? {}).length === 2 ? read : undefined;
    });
    expect(info.ladder).toEqual(SMALL_LADDER);
    expect(info.runs!['1']!.rungs[0]).toMatchObject({ codec: 'avc1.42C00D', videoBitrate: 300_000 });
    expect(info.runs!['2']!.rungs[0]).toEqual(encodedTop);
  });
});
