import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import type { Livestream } from '../shared/livestream.js';
import type { RecordingList } from '../shared/recording.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { authHeaders, livestreamStatus } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';

/** Seconds of media the publisher sends before it stops by itself. */
const BROADCAST_S = 40;

/** Seconds of media a playlist lists (the sum of its EXTINF durations). */
const playlistSpan = (playlist: string) => [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);

/** The viewer's latency readout ("23.4 s behind live"), in seconds. */
async function latencyS(page: Page): Promise<number> {
  return Number(/([\d.]+) s behind live/.exec((await page.getByTestId('latency').textContent()) ?? '')?.[1] ?? NaN);
}

const currentTime = (page: Page) => page.evaluate(() => window.__axonPlayer?.video.currentTime ?? 0);

test('a viewer rewinds a live broadcast and returns to live; the broadcast is kept and replays', async ({ page, request }) => {
  test.setTimeout(180_000);
  const created = await request.post('/api/livestreams', { headers: authHeaders, data: { name: 'DVR and replay', record: true } });
  expect(created.status()).toBe(201);
  const ls = (await created.json()) as Livestream;
  const publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 640, height: 360, durationS: BROADCAST_S });
  try {
    await page.goto(`/watch/${ls.id}`);
    await expectPlayback(page, 'hls');
    await expect(page.getByTestId('seek-readout')).toHaveText('LIVE');
    await expect(page.getByTestId('go-live')).toBeHidden();

    // The live playlist reaches back at least 24 s.
    await expect
      .poll(async () => playlistSpan(await (await request.get(`/live/${ls.id}/360p.m3u8`)).text()), { timeout: 45_000 })
      .toBeGreaterThanOrEqual(24);

    // Back 20 s: the readout says how far behind live, and playback goes on from there.
    const live = await page.evaluate(() => window.__axonPlayer!.hls!.liveSyncPosition!);
    await page.getByTestId('seek').fill(String(live - 20));
    await expect(page.getByTestId('seek-readout')).toHaveText(/^-0:(19|20|21)$/);
    await expect(page.getByTestId('go-live')).toBeVisible();
    const rewound = await currentTime(page);
    await expect.poll(() => currentTime(page), { timeout: 15_000 }).toBeGreaterThan(rewound + 2);
    expect(await latencyS(page)).toBeGreaterThan(18);
    await expect(page.getByTestId('seek-readout')).toHaveText(/^-0:(19|20|21|22)$/);

    await page.getByTestId('go-live').click();
    await expect(page.getByTestId('seek-readout')).toHaveText('LIVE');
    await expect(page.getByTestId('go-live')).toBeHidden();
    await expect.poll(() => latencyS(page), { timeout: 15_000 }).toBeLessThan(8);
  } finally {
    await publisher.exited;
    await publisher.kill();
  }

  // The publisher stopped (it unpublished): the broadcast ends at once and the page offers its replay.
  await expect.poll(() => livestreamStatus(request, ls.id), { timeout: 30_000 }).toBe('offline');
  await expect(page.getByTestId('player-state')).toHaveText('Stream ended', { timeout: 20_000 });
  const replayLink = page.getByTestId('replay-link');
  await expect(replayLink).toBeVisible();

  const { items } = (await (await request.get(`/api/livestreams/${ls.id}/recordings`)).json()) as RecordingList;
  expect(items).toHaveLength(1);
  const rec = items[0]!;
  expect(rec.status).toBe('complete');
  expect(Math.abs(rec.duration - BROADCAST_S)).toBeLessThanOrEqual(2);
  expect(await replayLink.getAttribute('href')).toBe(rec.playerUrl);

  const vod = await (await request.get(rec.hlsUrl.replace('master.m3u8', '360p.m3u8'))).text();
  expect(vod).toMatch(/^#EXTM3U\n/);
  expect(vod).toContain('#EXT-X-PLAYLIST-TYPE:VOD\n');
  expect(vod.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
  expect(playlistSpan(vod)).toBeCloseTo(rec.duration, 0);
  const { stdout } = await promisify(execFile)('ffprobe', [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', rec.hlsUrl,
  ]);
  expect(Number(stdout.trim().split('\n')[0])).toBeGreaterThanOrEqual((BROADCAST_S - 2) * 30);

  // The replay plays in the Axon player, from the start, and seeks.
  await replayLink.click();
  await expect(page).toHaveURL(rec.playerUrl);
  await expectPlayback(page, 'hls');
  expect(await currentTime(page)).toBeLessThan(15);
  await expect(page.getByTestId('seek-readout')).toHaveText(/^0:\d\d \/ 0:(39|40|41)$/);
  await page.getByTestId('seek').fill('30');
  await expect.poll(() => currentTime(page), { timeout: 10_000 }).toBeGreaterThan(30);

  // Going live again gives a second recording.
  const again = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 640, height: 360, durationS: 6 });
  await again.exited;
  await expect
    .poll(async () => ((await (await request.get(`/api/livestreams/${ls.id}/recordings`)).json()) as RecordingList).items.length, { timeout: 40_000 })
    .toBe(2);
});
