import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { manifestPath } from '../shared/public-paths.js';
import { FfmpegRtmpPublisher, type RtmpPublisherOptions } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { createLivestream, listedSegments } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';

/** Each Period of the livestream's MPD: its start in seconds since availabilityStartTime, and its top rung's codec. */
async function periods(request: APIRequestContext, id: string): Promise<Array<{ startS: number; codec: string }>> {
  const mpd = await (await request.get(manifestPath(id, 'dash'))).text();
  return [...mpd.matchAll(/<Period id="[^"]+" start="PT([\d.]+)S">.*?<Representation id="0" [^>]*codecs="([^"]+)"/g)].map((m) => ({ startS: Number(m[1]), codec: m[2]! }));
}

const samePlayer = (page: Page) =>
  page.evaluate(() => window.__axonPlayer !== undefined && window.__axonPlayer.dash === (window as unknown as { __firstDash: unknown }).__firstDash);

/**
 * Watches an RTMP broadcast with dash.js while `nextRun` makes FFmpeg start a new run (a new Period), until
 * 10 s into it. `nextRun` gets the publisher and a way to start another; it returns the one that goes on.
 * Returns the periods and what went wrong: the page starting its player over, and segment requests the origin
 * held in vain (it answers 503 then; a 404 is not counted: dash.js may ask for the segment a manifest fetched
 * just before the run ended announced).
 */
async function watchIntoNextPeriod(
  page: Page,
  request: APIRequestContext,
  source: Omit<RtmpPublisherOptions, 'url'>,
  nextRun: (publisher: FfmpegRtmpPublisher, publish: () => FfmpegRtmpPublisher) => Promise<FfmpegRtmpPublisher>,
) {
  const ls = await createLivestream(request, 'DASH period');
  const publish = () => new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, ...source });
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
    publisher = await nextRun(publisher, publish);
    await expect.poll(async () => (await periods(request, ls.id)).length, { timeout: 45_000 }).toBe(2);
    const secondRunS = (await periods(request, ls.id))[1]!.startS;
    // Ten seconds into the second run: past the origin's hold of a request for a segment not yet written (6 s).
    await expect.poll(() => page.evaluate(() => window.__axonPlayer?.video.currentTime ?? 0), { timeout: 40_000 }).toBeGreaterThan(secondRunS + 10);
    return { samePlayer: await samePlayer(page), restarts, heldInVain, periods: await periods(request, ls.id) };
  } finally {
    await publisher.kill();
  }
}

/** The publisher drops and returns 4 s later (within the 5 s reconnect window); `whileGone` runs once it is gone. */
const reconnect =
  (page: Page, whileGone: () => Promise<void> = async () => undefined) =>
  async (publisher: FfmpegRtmpPublisher, publish: () => FfmpegRtmpPublisher) => {
    await publisher.kill();
    await whileGone();
    await page.waitForTimeout(4000);
    return publish();
  };

const SOURCE = { width: 640, height: 360 };

test('dash.js plays on into the next Period when an RTMP publisher returns, with the same player', async ({ page, request }) => {
  expect(await watchIntoNextPeriod(page, request, SOURCE, reconnect(page))).toMatchObject({ samePlayer: true, restarts: [], heldInVain: [] });
});

test('a segment of the ended run that never comes does not start the player over: it reloads at the next Period', async ({ page, request }) => {
  // What a player that fetched the manifest just before the run ended meets: the next segment it announced is not there.
  const result = await watchIntoNextPeriod(
    page,
    request,
    SOURCE,
    reconnect(page, async () => {
      await page.route(/\/r1\/seg-/, (route) => route.fulfill({ status: 404 }));
    }),
  );
  expect(result).toMatchObject({ samePlayer: true, restarts: [] });
});

test('dash.js plays on from a copied top rung into the encoded Period that follows, each declared with its own codec', async ({ page, request }) => {
  // Keyframes every 2 s (the top rung is the source's own H.264) until 26 s, then every 6 s: at 28 s the
  // ladder goes to encoding, and the new run starts from the GOP at 26 s, which the copied run had written.
  const source = { ...SOURCE, keyframeIntervalS: 6, forceKeyFrames: 'expr:if(lt(t,26),gte(t,n_forced*2),gte(t,26+(n_forced-13)*6))' };
  const result = await watchIntoNextPeriod(page, request, source, async (publisher) => publisher);
  expect(result).toMatchObject({ samePlayer: true, restarts: [], heldInVain: [] });
  // The publisher's x264 ultrafast writes Constrained Baseline; the ladder encodes High.
  expect(result.periods.map((p) => p.codec.slice(0, 7))).toEqual(['avc1.42', 'avc1.64']);
});
