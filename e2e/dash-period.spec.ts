import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { manifestPath } from '../shared/public-paths.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { createLivestream, listedSegments } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';

/** The start of each Period of the livestream's MPD, in seconds since its availabilityStartTime. */
async function periodStarts(request: APIRequestContext, id: string): Promise<number[]> {
  const mpd = await (await request.get(manifestPath(id, 'dash'))).text();
  return [...mpd.matchAll(/<Period id="[^"]+" start="PT([\d.]+)S"/g)].map((m) => Number(m[1]));
}

const samePlayer = (page: Page) =>
  page.evaluate(() => window.__axonPlayer !== undefined && window.__axonPlayer.dash === (window as unknown as { __firstDash: unknown }).__firstDash);

/**
 * Watches an RTMP broadcast with dash.js while its publisher drops and returns 4 s later (within the 5 s
 * reconnect window): a new FFmpeg run, a new Period. `whileGone` runs once the publisher is gone. Returns
 * what went wrong: the page starting its player over, and segment requests the origin held in vain (it answers
 * 503 then; a 404 is not counted: dash.js may ask for the segment a manifest fetched just before the run ended
 * announced).
 */
async function watchAcrossReconnect(page: Page, request: APIRequestContext, whileGone: () => Promise<void>) {
  const ls = await createLivestream(request, 'DASH period');
  const publish = () => new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 640, height: 360 });
  let publisher = publish();
  try {
    await expect.poll(() => listedSegments(request, ls.id), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const restarts: string[] = [];
    page.on('console', (m) => {
      if (m.text().startsWith('playback failed')) restarts.push(m.text().slice(0, 300));
    });
    const heldInVain: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 500 && r.url().endsWith('.m4s')) heldInVain.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`/watch/${ls.id}?format=dash`);
    await expectPlayback(page, 'dash');
    await page.evaluate(() => {
      (window as unknown as { __firstDash: unknown }).__firstDash = window.__axonPlayer!.dash;
    });
    await publisher.kill();
    await whileGone();
    await page.waitForTimeout(4000);
    publisher = publish();
    await expect.poll(async () => (await periodStarts(request, ls.id)).length, { timeout: 20_000 }).toBe(2);
    const secondRunS = (await periodStarts(request, ls.id))[1]!;
    // Ten seconds into the second run: past the origin's hold of a request for a segment not yet written (6 s).
    await expect.poll(() => page.evaluate(() => window.__axonPlayer?.video.currentTime ?? 0), { timeout: 40_000 }).toBeGreaterThan(secondRunS + 10);
    return { samePlayer: await samePlayer(page), restarts, heldInVain };
  } finally {
    await publisher.kill();
  }
}

test('dash.js plays on into the next Period when an RTMP publisher returns, with the same player', async ({ page, request }) => {
  expect(await watchAcrossReconnect(page, request, async () => undefined)).toEqual({ samePlayer: true, restarts: [], heldInVain: [] });
});

test('a segment of the ended run that never comes does not start the player over: it reloads at the next Period', async ({ page, request }) => {
  // What a player that fetched the manifest just before the run ended meets: the next segment it announced is not there.
  const result = await watchAcrossReconnect(page, request, async () => {
    await page.route(/\/r1\/seg-/, (route) => route.fulfill({ status: 404 }));
  });
  expect(result).toMatchObject({ samePlayer: true, restarts: [] });
});
