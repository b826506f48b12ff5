import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaSegmentName } from '../src/media/media-layout.js';
import { writeBroadcastInfo } from '../src/recordings/broadcast-info.js';
import { RecordingLibrary } from '../src/recordings/recording-library.js';
import { startRecordingRetention } from '../src/recordings/recording-retention.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { SqliteLivestreamRepository } from '../src/store/sqlite/livestream-repository.js';
import { SqliteRecordingRepository } from '../src/store/sqlite/recording-repository.js';
import type { Ladder } from '../src/transcode/ladder.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { makeCmafRun, SMALL_LADDER } from './fixtures/cmaf-run.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const makeTempDir = tempDirs();

// Runs of real CMAF segments, made once: 9 s (5 segments, the last 1 s) and 5 s (3 segments).
let runs: { long: string; short: string };
beforeAll(async () => {
  const dir = makeTempDir('axon-recording-src-');
  runs = { long: path.join(dir, 'long'), short: path.join(dir, 'short') };
  await Promise.all([makeCmafRun(runs.long, 9), makeCmafRun(runs.short, 5)]);
});

const dbs: Database[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

async function setUp() {
  const dataDir = makeTempDir('axon-recordings-');
  const db = openDatabase(dataDir);
  dbs.push(db);
  const mediaDir = path.join(dataDir, 'media');
  const livestreams = new SqliteLivestreamRepository(db);
  const store = new SqliteRecordingRepository(db);
  const log = capturedLogger();
  const library = new RecordingLibrary({ store, mediaDir, log });
  const ls = await livestreams.create({ name: 'Talk', record: true });
  return { mediaDir, store, log, library, ls, root: path.join(mediaDir, ls.id) };
}

/**
 * A recorded broadcast as a killed server leaves it: its runs' files, its broadcast.json (with the runs'
 * own ladders, or without, as a recording from before they were kept), its row still 'recording'.
 */
async function killedBroadcast(s: Awaited<ReturnType<typeof setUp>>, id: string, runSources: string[], nodeId?: string, runLadders?: Record<string, Ladder>) {
  const dir = path.join(s.root, id);
  await fsp.mkdir(dir, { recursive: true });
  for (const [i, src] of runSources.entries()) await fsp.cp(src, path.join(dir, `r${i + 1}`), { recursive: true });
  await writeBroadcastInfo(dir, { ladder: SMALL_LADDER, runs: runLadders });
  await s.store.begin({ id, livestreamId: s.ls.id, startedAt: new Date(Date.now() - 60_000), nodeId });
  return dir;
}

const segmentsIn = (playlist: string) => playlist.split('\n').filter((l) => l.endsWith('.m4s') && !l.startsWith('#'));

describe('RecordingLibrary', () => {
  it('after a kill, makes the broadcast replayable up to its last complete segment', async () => {
    const s = await setUp();
    // Run 1 passed the source through as its top rung (Baseline, its own size); run 2 encoded it.
    const copied = { ...SMALL_LADDER, rungs: [{ ...SMALL_LADDER.rungs[0]!, codec: 'avc1.42C00D', width: 318 }] };
    const dir = await killedBroadcast(s, 'bkilled001', [runs.long, runs.short], undefined, { 1: copied, 2: SMALL_LADDER });
    // FFmpeg was killed while writing segment 3 of the top rung of run 2: the file never got its name.
    const r2 = path.join(dir, 'r2');
    await fsp.rename(path.join(r2, mediaSegmentName('0', 3)), path.join(r2, `${mediaSegmentName('0', 3)}.tmp`));

    await s.library.recover();
    const [rec, ...others] = await s.library.list(s.ls.id);
    expect(others).toEqual([]);
    expect(rec).toMatchObject({ id: 'bkilled001', status: 'interrupted' });
    // The longest rendition (the others' runs are whole): 9 s + 5 s.
    expect(rec!.durationS).toBeCloseTo(14, 1);

    const media = await fsp.readFile(path.join(dir, '180p.m3u8'), 'utf8');
    expect(media).toContain('#EXT-X-PLAYLIST-TYPE:VOD\n');
    expect(media.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(media).toContain('#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="r2/init-0.m4s"');
    expect(segmentsIn(media)).toEqual([1, 2, 3, 4, 5].map((n) => `r1/seg-0-0000${n}.m4s`).concat(['r2/seg-0-00001.m4s', 'r2/seg-0-00002.m4s']));
    expect(segmentsIn(await fsp.readFile(path.join(dir, 'audio.m3u8'), 'utf8'))).toHaveLength(8);
    const mpd = await fsp.readFile(path.join(dir, 'manifest.mpd'), 'utf8');
    expect(mpd).toContain('type="static"');
    // Periods back to back: the replay has no hole where the broadcast was down.
    expect([...mpd.matchAll(/<Period id="(r\d)" start="([^"]+)"/g)].map((m) => `${m[1]}@${m[2]}`)).toEqual(['r1@PT0.000S', 'r2@PT9.000S']);
    // Each period as its run wrote it.
    expect([...mpd.matchAll(/<Representation id="0" [^>]*width="(\d+)" [^>]*codecs="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      `318 avc1.42C00D`,
      `320 ${SMALL_LADDER.rungs[0]!.codec}`,
    ]);
    expect(fs.existsSync(path.join(dir, 'master.m3u8'))).toBe(true);

    // What a player gets: FFmpeg reads the VOD playlist and decodes past the cut between the runs (its
    // HLS demuxer drops some frames where timestamps restart; hls.js offsets them).
    const { stdout } = await promisify(execFile)('ffprobe', [
      '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0',
      path.join(dir, '180p.m3u8'),
    ]);
    expect(Number(stdout.trim().split('\n')[0])).toBeGreaterThan(9 * 30);
  });

  it('at start-up, clears live leftovers and broadcasts nobody recorded, and drops what cannot be replayed', async () => {
    const s = await setUp();
    await killedBroadcast(s, 'bkept00001', [runs.short]);
    await fsp.writeFile(path.join(s.root, 'master.m3u8'), '#EXTM3U\n');
    await fsp.mkdir(path.join(s.root, 'blive00001', 'r1'), { recursive: true });
    // Killed before its first segment; and one whose directory is gone.
    const empty = await killedBroadcast(s, 'bempty0001', []);
    await s.store.begin({ id: 'bgone00001', livestreamId: s.ls.id, startedAt: new Date() });

    await s.library.recover();
    expect(fs.readdirSync(s.root)).toEqual(['bkept00001']);
    expect(fs.existsSync(empty)).toBe(false);
    expect(await s.store.idsOf(s.ls.id)).toEqual(new Set(['bkept00001']));
    expect(s.log.lines.some((l) => l.text.startsWith('the broadcast ended before its first segment'))).toBe(true);
  });

  it('deletes a recording with its files, and old ones by retention', async () => {
    const s = await setUp();
    for (const id of ['bold000001', 'bnew000001']) await killedBroadcast(s, id, [runs.short]);
    await s.library.recover();
    expect((await s.library.list(s.ls.id)).map((r) => r.id)).toEqual(['bnew000001', 'bold000001']);
    await s.store.finish('bold000001', { status: 'complete', endedAt: new Date(Date.now() - 3 * 86_400_000), durationS: 5 });

    expect(await s.library.remove(s.ls.id, 'bnew000001')).toBe(true);
    expect(await s.library.remove(s.ls.id, 'bnew000001')).toBe(false);
    expect(fs.existsSync(path.join(s.root, 'bnew000001'))).toBe(false);

    const retention = startRecordingRetention({ library: s.library, days: 2, log: s.log });
    try {
      await expect.poll(() => s.library.list(s.ls.id)).toEqual([]);
      expect(fs.existsSync(path.join(s.root, 'bold000001'))).toBe(false);
    } finally {
      retention.close();
    }
  });

  it('in a cluster, recovers and expires only this node recordings, also while the livestream is live on another node', async () => {
    const s = await setUp();
    const [nodeA, nodeB] = ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'];
    const onA = new RecordingLibrary({ store: s.store, mediaDir: s.mediaDir, log: s.log, nodeId: nodeA, liveElsewhere: async () => true });
    await killedBroadcast(s, 'bmine00001', [runs.short], nodeA);
    // What node B holds: a recording cut on its disk (not here), an old finished one, and the broadcast it runs now.
    await s.store.begin({ id: 'btheirs001', livestreamId: s.ls.id, startedAt: new Date(), nodeId: nodeB });
    await s.store.begin({ id: 'btheirs002', livestreamId: s.ls.id, startedAt: new Date(), nodeId: nodeB });
    await s.store.finish('btheirs002', { status: 'complete', endedAt: new Date(Date.now() - 3 * 86_400_000), durationS: 5 });
    const live = path.join(s.root, 'blive00001', 'r1');
    await fsp.mkdir(live, { recursive: true });
    await fsp.writeFile(path.join(s.root, 'master.m3u8'), '#EXTM3U\n');

    await onA.recover();
    expect(await onA.get(s.ls.id, 'bmine00001')).toMatchObject({ status: 'interrupted', nodeId: nodeA });
    expect(await s.store.idsOf(s.ls.id)).toEqual(new Set(['bmine00001', 'btheirs001', 'btheirs002']));
    // The live broadcast elsewhere keeps its files.
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(path.join(s.root, 'master.m3u8'))).toBe(true);

    expect(await onA.removeEndedBefore(new Date(Date.now() + 86_400_000))).toBe(1);
    expect(await s.store.idsOf(s.ls.id)).toEqual(new Set(['btheirs001', 'btheirs002']));
  });
});
