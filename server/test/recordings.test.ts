import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingLibrary } from '../src/recordings/recording-library.js';
import { StreamSession } from '../src/session/stream-session.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { SqliteLivestreamRepository } from '../src/store/sqlite/livestream-repository.js';
import { SqliteRecordingRepository } from '../src/store/sqlite/recording-repository.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { SyntheticIngest } from './fixtures/synthetic-ingest.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const makeTempDir = tempDirs();

// Broadcasts of a real FFmpeg ladder (320x180 source, paced in real time) with recording, a few seconds each.
const log = capturedLogger();
const sessions: StreamSession[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop('test over')));
  dbs.splice(0).forEach((db) => db.close());
});

async function setUp() {
  const dataDir = makeTempDir('axon-recording-session-');
  const db = openDatabase(dataDir);
  dbs.push(db);
  const mediaDir = path.join(dataDir, 'media');
  const livestreams = new SqliteLivestreamRepository(db);
  const library = new RecordingLibrary({ store: new SqliteRecordingRepository(db), mediaDir, log });
  const ls = await livestreams.create({ name: 'Talk', record: true });
  const broadcast = (o: { record: boolean; dvrWindowS?: number }) => {
    const ingest = new SyntheticIngest({ width: 320, height: 180 });
    const session = new StreamSession(ls.id, ingest, {
      config: {
        mediaDir,
        dvrWindowS: 300,
        publicUrl: 'http://127.0.0.1:1',
        transcode: { ladderHeights: [144], fps: 30, x264Preset: 'ultrafast', ffmpegPath: 'ffmpeg' },
      },
      log,
      dvrWindowS: o.dvrWindowS,
      recordings: o.record ? library : undefined,
    });
    sessions.push(session);
    void session.start();
    return session;
  };
  return { library, ls, root: path.join(mediaDir, ls.id), broadcast };
}

const read = (file: string) => fsp.readFile(file, 'utf8').catch(() => '');
const segmentsIn = (playlist: string) => playlist.split('\n').filter((l) => l.endsWith('.m4s') && !l.startsWith('#'));
const mediaSequence = (playlist: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1]);

describe('Recording broadcasts (real FFmpeg)', () => {
  it('records a broadcast whose live window moved on, and a second broadcast as a second recording', async () => {
    const { library, ls, root, broadcast } = await setUp();
    const first = broadcast({ record: true, dvrWindowS: 6 });
    const firstNumber = await waitFor('a live playlist', async () => mediaSequence(await read(path.join(root, '180p.m3u8'))) || undefined);
    // The live window (6 s) has dropped the first segments from the live playlist.
    await waitFor('the live window to move', async () => mediaSequence(await read(path.join(root, '180p.m3u8'))) >= firstNumber + 2);
    const live = await read(path.join(root, '180p.m3u8'));
    const lastNumber = mediaSequence(live) + segmentsIn(live).length - 1;
    expect(segmentsIn(live).length).toBeLessThanOrEqual(4);
    await first.stop('publisher left');

    const [rec, ...none] = await library.list(ls.id);
    expect(none).toEqual([]);
    expect(rec).toMatchObject({ id: first.broadcastId, status: 'complete' });
    const dir = path.join(root, first.broadcastId);
    const vod = await read(path.join(dir, '180p.m3u8'));
    expect(vod).toContain('#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MEDIA-SEQUENCE:0\n');
    expect(vod.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const segments = segmentsIn(vod);
    expect(segments[0]).toBe('r1/seg-0-00001.m4s');
    expect(segments.length).toBeGreaterThan(segmentsIn(live).length + 1);
    for (const uri of segments) expect(fs.existsSync(path.join(dir, uri))).toBe(true);
    // The duration is the longest rendition's (audio and video are cut a frame apart at the end).
    const span = (playlist: string) => [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(rec!.durationS).toBeCloseTo(Math.max(span(vod), span(await read(path.join(dir, 'audio.m3u8')))), 2);
    // The live URL ends its playlists.
    expect(await read(path.join(root, '180p.m3u8'))).toContain('#EXT-X-ENDLIST');

    const { stdout } = await promisify(execFile)('ffprobe', [
      '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0',
      path.join(dir, 'master.m3u8'),
    ]);
    expect(Number(stdout.trim().split('\n')[0])).toBeGreaterThanOrEqual(Math.floor(rec!.durationS - 1) * 30);

    // Going live again: a new broadcast, playlists that start over, and later a second recording.
    const second = broadcast({ record: true });
    await waitFor('live again', () => second.state === 'live');
    // Live from the first parts; the standard playlists list the first segment once it is complete.
    await waitFor('a segment', async () => segmentsIn(await read(path.join(root, '180p.m3u8'))).length > 0);
    const restarted = await read(path.join(root, '180p.m3u8'));
    // Numbered on from the first broadcast: a cached answer for one of its numbers never names this one.
    expect(mediaSequence(restarted)).toBeGreaterThan(lastNumber);
    expect(restarted).toContain(`${second.broadcastId}/r1/init-0.m4s`);
    expect(restarted).not.toContain('#EXT-X-ENDLIST');
    await second.stop('publisher left');
    expect((await library.list(ls.id)).map((r) => r.id)).toEqual([second.broadcastId, first.broadcastId]);
    expect(await read(path.join(dir, '180p.m3u8'))).toBe(vod);
  });

  it('keeps nothing of a broadcast that is not recorded once the next one starts', async () => {
    const { library, ls, root, broadcast } = await setUp();
    const unrecorded = broadcast({ record: false });
    await waitFor('live', () => unrecorded.state === 'live');
    await unrecorded.stop('publisher left');
    expect(await library.list(ls.id)).toEqual([]);
    // Until then its window stays for the ended live playlists.
    expect(fs.existsSync(path.join(root, unrecorded.broadcastId))).toBe(true);
    const next = broadcast({ record: true });
    await waitFor('live', () => next.state === 'live');
    expect(fs.readdirSync(root).filter((f) => f.startsWith('b'))).toEqual([next.broadcastId]);
  });
});
