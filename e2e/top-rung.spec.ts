import { expect, type Page, test } from '@playwright/test';
import type { IngestHealth } from '../shared/ingest-health.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { authHeaders, createLivestream } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';

/** The heights the player shows, in order: the copied top rung, an encoded one, the copied one again. */
const SWITCHES = [360, 144, 360];

test.describe('a passed-through top rung beside encoded rungs', () => {
  let publisher: FfmpegRtmpPublisher;
  let id: string;

  test.beforeAll(async ({ request }) => {
    const ls = await createLivestream(request, 'Top rung copied');
    id = ls.id;
    // OBS's advice: keyframes every 2 s, so the 360p top rung is the source's own H.264.
    publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 640, height: 360, keyframeIntervalS: 2 });
    await expect
      .poll(async () => {
        const health = (await (await request.get(`/api/livestreams/${id}`, { headers: authHeaders })).json()).health as IngestHealth | undefined;
        return health?.topRung?.mode;
      }, { timeout: 30_000 })
      .toBe('copy');
  });
  test.afterAll(() => publisher.kill());

  test('hls.js switches between the copied and the encoded rungs without a stall of its own', async ({ page }) => {
    await page.goto(`/watch/${id}`);
    await expectPlayback(page, 'hls');
    await countStalls(page);
    for (const height of SWITCHES) {
      await page.evaluate((h) => {
        const hls = window.__axonPlayer!.hls!;
        // nextLevel: the next segment comes from that rung, as ABR switches (no buffer flush).
        hls.nextLevel = hls.levels.findIndex((level) => level.height === h);
      }, height);
      await expect.poll(() => page.evaluate(() => window.__axonPlayer!.video.videoHeight), { timeout: 20_000 }).toBe(height);
    }
    expect(await stalls(page)).toEqual([]);
  });

  test('dash.js switches between the copied and the encoded rungs without a stall of its own', async ({ page }) => {
    await page.goto(`/watch/${id}?format=dash`);
    await expectPlayback(page, 'dash');
    await countStalls(page);
    for (const height of SWITCHES) {
      await page.evaluate((h) => {
        const dash = window.__axonPlayer!.dash!;
        dash.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: false } } } });
        const index = dash.getRepresentationsByType('video').findIndex((r) => r.height === h);
        dash.setRepresentationForTypeByIndex('video', index, false);
      }, height);
      await expect.poll(() => page.evaluate(() => window.__axonPlayer!.video.videoHeight), { timeout: 20_000 }).toBe(height);
    }
    expect(await stalls(page)).toEqual([]);
  });
});

/**
 * Counts the video's `waiting` events from now on that a switch between misaligned rungs would cause: a
 * stall with data buffered at the playhead, or at a gap shorter than a part before a later buffered range
 * (rungs whose segments start a frame or two apart leave such slivers). A stall at the very end of what is
 * buffered, with nothing after it, is a starved player: the next part came late, which on this machine busy
 * with the rest of the suite is load. Neither is a hole of a whole part (0.5 s) on the part grid the rungs
 * share: seen under load when hls.js switched back up mid-segment, a part it loaded was not buffered
 * (0.512-5.500 6.000-7.000 at 5.598 s), which is the player's switching, not the rungs' alignment.
 */
async function countStalls(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __stalls: string[] };
    w.__stalls = [];
    const video = window.__axonPlayer!.video;
    video.addEventListener('waiting', () => {
      const t = video.currentTime;
      const ranges = Array.from({ length: video.buffered.length }, (_, i) => [video.buffered.start(i), video.buffered.end(i)] as const);
      const dataAtPlayhead = ranges.some(([starts, ends]) => starts <= t && ends - t >= 0.1);
      const next = ranges.find(([starts]) => starts > t);
      const before = Math.max(0, ...ranges.filter(([, ends]) => ends <= (next?.[0] ?? 0)).map(([, ends]) => ends));
      const sliver = next !== undefined && next[0] - before < 0.4;
      if (dataAtPlayhead || sliver) {
        // Said in full, so a failure shows where the playhead stood against what was buffered.
        const buffered = ranges.map(([a, b]) => `${a.toFixed(3)}-${b.toFixed(3)}`).join(' ');
        w.__stalls.push(`at ${t.toFixed(3)} s, ${video.videoHeight}p shown, buffered ${buffered}, seeking ${video.seeking}`);
      }
    });
  });
}

const stalls = (page: Page) => page.evaluate(() => (window as unknown as { __stalls: string[] }).__stalls);
