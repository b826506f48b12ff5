import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { StreamSession } from '../src/session/stream-session.js';
import { SyntheticIngest } from './fixtures/synthetic-ingest.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const log = createLogger('test');
const sessions: StreamSession[] = [];
const tempDir = tempDirs();

function newSession(windowS: number, ingest = new SyntheticIngest({ width: 640, height: 360 }), ffmpegPath = 'ffmpeg') {
  const mediaDir = tempDir('axon-session-');
  const session = new StreamSession('ls-test-0001', ingest, {
    config: {
      mediaDir,
      dvrWindowS: windowS,
      publicUrl: 'http://127.0.0.1:1',
      transcode: { ladderHeights: [1080, 720, 480, 360, 144], fps: 30, x264Preset: 'ultrafast', ffmpegPath },
    },
    log,
  });
  sessions.push(session);
  return { session, ingest, root: path.join(mediaDir, 'ls-test-0001') };
}

const read = (root: string, f: string) => fsp.readFile(path.join(root, f), 'utf8');


const segmentsIn = (playlist: string) => playlist.split('\n').filter((l) => l.endsWith('.m4s') && !l.startsWith('#'));

/** Live from the first parts; the standard playlists list the first segment once it is complete. */
async function liveWithASegment(session: StreamSession, root: string, playlist = '360p.m3u8'): Promise<void> {
  await waitFor('live', () => session.state === 'live');
  await waitFor('a segment', async () => segmentsIn(await read(root, playlist)).length > 0);
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop('test over')));
});

describe('StreamSession with a real FFmpeg', () => {
  it('goes live with a source-capped ladder, HLS with PROGRAM-DATE-TIME and a dynamic DASH manifest', async () => {
    const { session, root } = newSession(300);
    const states: string[] = [];
    session.on('state', (s) => states.push(s));
    void session.start();
    await liveWithASegment(session, root);

    const master = await read(root, 'master.m3u8');
    expect(master).toContain('RESOLUTION=640x360');
    expect(master).toContain('RESOLUTION=256x144');
    expect(master).not.toMatch(/RESOLUTION=\d+x(480|720|1080)/);
    for (const attr of ['BANDWIDTH=', 'AVERAGE-BANDWIDTH=', 'FRAME-RATE=30.000', 'CODECS="avc1.', 'AUDIO="audio"']) expect(master).toContain(attr);

    const media = await read(root, '360p.m3u8');
    expect(media).toMatch(/#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT/);
    expect(media).toMatch(/#EXT-X-MAP:URI="b[0-9a-z]+\/r1\/init-0\.m4s"/);
    expect(media).not.toContain('#EXT-X-ENDLIST');
    for (const uri of segmentsIn(media)) expect(fs.existsSync(path.join(root, uri))).toBe(true);
    const durations = [...media.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
    expect(durations[0]).toBeCloseTo(2, 1);

    // Aligned GOPs: every rung is cut at the same instants, and each segment opens on its only keyframe.
    await waitFor('three segments', async () => segmentsIn(await read(root, '144p.m3u8')).length >= 3);
    const cuts = async (f: string) => [...(await read(root, f)).matchAll(/#EXTINF:([\d.]+)/g)].map((m) => m[1]).slice(0, 3);
    expect(await cuts('144p.m3u8')).toEqual(await cuts('360p.m3u8'));
    for (const [rung, rep] of [['360p', 0], ['144p', 1]] as const) {
      const uris = segmentsIn(await read(root, `${rung}.m3u8`));
      const init = path.join(root, path.dirname(uris[1]!), `init-${rep}.m4s`);
      const joined = path.join(root, `probe-${rep}.mp4`);
      fs.writeFileSync(joined, Buffer.concat([fs.readFileSync(init), fs.readFileSync(path.join(root, uris[1]!))]));
      const frames = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=key_frame', '-of', 'csv=p=0', joined], { encoding: 'utf8' })
        .trim()
        .split('\n');
      expect(frames).toHaveLength(60);
      expect(frames.map((f, i) => (f.startsWith('1') ? i : -1)).filter((i) => i >= 0)).toEqual([0]);
    }

    const mpd = await read(root, 'manifest.mpd');
    expect(mpd).toContain('type="dynamic"');
    expect([...mpd.matchAll(/<Representation id="(\d+)"/g)].map((m) => m[1])).toEqual(['0', '1', '2']);
    expect(mpd).toContain('<SegmentTimeline><S t="0" d="30720"');

    await session.stop('done');
    expect(states).toEqual(['starting', 'live', 'ended']);
    expect(await read(root, '360p.m3u8')).toContain('#EXT-X-ENDLIST');
    expect(await read(root, 'manifest.mpd')).toContain('type="static"');
    expect(session.ffmpegPid).toBeUndefined();
  });

  it('restarts an FFmpeg that keeps failing later and later, then ends the broadcast with the reason', async () => {
    // An "FFmpeg" that dies at once, as one given a source it cannot decode would: each start is logged.
    const dir = tempDir('axon-failing-ffmpeg-');
    const starts = path.join(dir, 'starts');
    const failing = path.join(dir, 'ffmpeg');
    fs.writeFileSync(failing, `#!/bin/sh\ndate +%s%N >> ${starts}\necho "cannot decode this source" >&2\nexit 1\n`, { mode: 0o755 });
    const { session, ingest } = newSession(300, undefined, failing);
    const ended = new Promise<string>((resolve) => session.once('ended', resolve));
    void session.start();
    expect(await ended).toMatch(/^ffmpeg failed 5 times within 60 s: cannot decode this source$/);
    const startedAtNs = fs.readFileSync(starts, 'utf8').trim().split('\n').map(BigInt);
    expect(startedAtNs).toHaveLength(5);
    // Each pause is longer than the one before (0.5, 1, 2, 4 s), not a tight loop.
    const gapsMs = startedAtNs.slice(1).map((t, i) => Number((t - startedAtNs[i]!) / 1_000_000n));
    for (let i = 1; i < gapsMs.length; i++) expect(gapsMs[i]!).toBeGreaterThan(gapsMs[i - 1]!);
    expect(gapsMs[0]!).toBeGreaterThanOrEqual(500);
    expect(ingest.openInputs).toBe(5);
  });

  it('restarts a dead FFmpeg as a new run: playlists continue across a discontinuity', async () => {
    const { session, ingest, root } = newSession(300);
    void session.start();
    await liveWithASegment(session, root);
    const firstPid = session.ffmpegPid!;
    process.kill(firstPid, 'SIGKILL');
    await waitFor('second run segment', async () => (await read(root, '360p.m3u8')).includes('/r2/seg-0-'));
    expect(session.state).toBe('live');
    expect(session.restarts).toBe(1);
    expect(ingest.openInputs).toBe(2);
    const media = await read(root, '360p.m3u8');
    expect(media.split('#EXT-X-DISCONTINUITY\n')).toHaveLength(2);
    expect(media).toContain('r2/init-0.m4s');
    const mpd = await read(root, 'manifest.mpd');
    expect(mpd.match(/<Period /g)).toHaveLength(2);
  });

  it('deletes segments that leave the window and ends when the publisher leaves', async () => {
    const { session, ingest, root } = newSession(6);
    void session.start();
    await liveWithASegment(session, root);
    const first = segmentsIn(await read(root, '360p.m3u8'))[0]!;
    await waitFor('first segment deleted', () => !fs.existsSync(path.join(root, first)), 30_000);
    const media = await read(root, '360p.m3u8');
    expect(segmentsIn(media).length).toBeLessThanOrEqual(4);
    expect(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(media)![1])).toBeGreaterThan(0);

    const ended = new Promise<string>((r) => session.once('ended', r));
    ingest.end('publisher left');
    expect(await ended).toBe('publisher left');
    expect(ingest.closed).toBe(true);
  });

  it('adds silent audio when the source has none', async () => {
    const { session, root } = newSession(300, new SyntheticIngest({ width: 320, height: 240 }, false));
    void session.start();
    await liveWithASegment(session, root, 'audio.m3u8');
  });
});
