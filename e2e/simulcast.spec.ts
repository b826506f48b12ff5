import { expect, test, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import type { IngestHealth } from '../shared/ingest-health.js';
import type { Livestream } from '../shared/livestream.js';
import { manifestPath, mediaPath } from '../shared/public-paths.js';
import { authHeaders, createLivestream, rungHeights } from './fixtures/api.js';
import { CHROMIUM_ARGS_AT_30_FPS, CHROMIUM_PATH } from './fixtures/chromium.js';
import { expectPlayback } from './fixtures/playback.js';
import { countStalls, showRung, stalls } from './fixtures/rung-switching.js';
import { goLive, studioUrl } from './fixtures/studio.js';
import { copiedRung, transcoderArgs } from './fixtures/top-rung.js';
import { recordPeerConnections } from './fixtures/webrtc.js';

/**
 * The studio's camera at 480p (goLive's choice) is 640x480, of which Chromium sends two of the three layers
 * asked for, the lower ones (1/2 and 1/1.5 of it: 320x240 and 426x320; it leaves the top ones out below 960x540).
 */
const LAYER_HEIGHTS = [320, 240];
/** Down to the smallest layer and back up to the top one. */
const SWITCHES = [240, 320];

// The layers must run at the ladder's frame rate to stay the rungs.
test.use({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS_AT_30_FPS } });

const health = async (request: APIRequestContext, id: string) =>
  (await (await request.get(`/api/livestreams/${id}`, { headers: authHeaders })).json()).health as IngestHealth | undefined;

/**
 * Until the rungs are the layers. On a machine busy with the suite a layer can fall behind (a late keyframe, a
 * slower frame rate) and the verdict sends the rungs to encoding for 30 s; the tests that switch rungs or
 * switch a layer off start once they are the layers again.
 */
const untilLayers = (request: APIRequestContext, id: string) =>
  expect.poll(async () => (await health(request, id))?.topRung?.mode, { timeout: 75_000 }).toBe('layers');

test.describe.serial('H.264 simulcast from the studio: the layers are the rungs', () => {
  let livestream: Livestream;
  let studioContext: BrowserContext;
  let studio: Page;

  test.beforeAll(async ({ browser, playwright }) => {
    const baseURL = test.info().project.use.baseURL;
    const api = await playwright.request.newContext({ baseURL });
    livestream = await createLivestream(api, 'e2e simulcast');
    await api.dispose();
    studioContext = await browser.newContext({ baseURL, permissions: ['camera', 'microphone'] });
    studio = await studioContext.newPage();
    await studio.addInitScript(recordPeerConnections);
    await studio.goto(studioUrl(livestream));
    await studio.locator('#codec').selectOption('h264');
    await studio.locator('#simulcast').check();
    await goLive(studio);
  });

  test.afterAll(async () => {
    await studioContext?.close();
  });

  test('it goes live in layers mode: every rung is a layer copied as it came, none encoded', async ({ request }) => {
    await expect.poll(async () => (await health(request, livestream.id))?.topRung?.mode, { timeout: 15_000 }).toBe('layers');
    const args = transcoderArgs(livestream.id)!;
    expect(args.filter((a) => a === 'copy')).toHaveLength(LAYER_HEIGHTS.length);
    expect(args).not.toContain('libx264');
    expect(rungHeights(await (await request.get(manifestPath(livestream.id, 'hls'))).text())).toEqual(LAYER_HEIGHTS);
    // Four whole segments after the first, in every rung.
    await expect.poll(async () => (await copiedRung(request, livestream.id, LAYER_HEIGHTS.length - 1)).segmentDurationsS.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    // Ten seconds in, the layers still run at the ladder's rate and key together on the boundaries.
    expect((await health(request, livestream.id))?.topRung).toMatchObject({ mode: 'layers' });
    const rungs = await Promise.all(LAYER_HEIGHTS.map((_, i) => copiedRung(request, livestream.id, i)));
    for (const [i, rung] of rungs.entries()) {
      // RESOLUTION and CODECS are the SPS FFmpeg copied into the rung's init segment: the browser's own
      // Constrained Baseline at the layer's size (x264 would have written High).
      expect(rung.declared).toEqual(rung.copied);
      expect(rung.copied).toMatchObject({ height: LAYER_HEIGHTS[i], codec: expect.stringMatching(/^avc1\.42/) });
      // The keyframe clock keys every layer on the boundaries: every rung is cut on the same 2 s grid.
      rung.segmentDurationsS.slice(0, 4).forEach((d, n) => {
        expect(Math.abs(d - 2)).toBeLessThan(0.02);
        expect(Math.abs(d - rungs[0]!.segmentDurationsS[n]!)).toBeLessThan(0.005);
      });
    }
  });

  for (const engine of ['hls', 'dash'] as const) {
    test(`${engine === 'hls' ? 'hls.js' : 'dash.js'} switches between the layers without a stall of its own`, async ({ page, request }) => {
      await untilLayers(request, livestream.id);
      await page.goto(`/watch/${livestream.id}${engine === 'dash' ? '?format=dash' : ''}`);
      await expectPlayback(page, engine);
      await countStalls(page);
      for (const height of SWITCHES) await showRung(page, engine, height);
      expect(await stalls(page)).toEqual([]);
    });
  }

  test('a layer switched off moves the broadcast to encoding, with a discontinuity, and the player plays on', async ({ page, request }) => {
    await untilLayers(request, livestream.id);
    await page.goto(`/watch/${livestream.id}`);
    await expectPlayback(page, 'hls');
    await studio.evaluate(async () => {
      const sender = window.__peerConnections!.flatMap((pc) => pc.getSenders()).find((s) => s.track?.kind === 'video')!;
      const parameters = sender.getParameters();
      // The lowest layer: the top one stays for the encoder to read.
      parameters.encodings[0]!.active = false;
      await sender.setParameters(parameters);
    });
    await expect.poll(async () => (await health(request, livestream.id))?.topRung, { timeout: 15_000 }).toEqual({
      mode: 'encode',
      reason: expect.stringContaining('stopped sending'),
    });
    await expect.poll(() => transcoderArgs(livestream.id)?.includes('libx264'), { timeout: 15_000 }).toBe(true);
    // The same renditions, now encoded from the top layer after a discontinuity.
    expect(rungHeights(await (await request.get(manifestPath(livestream.id, 'hls'))).text())).toEqual(LAYER_HEIGHTS);
    const variant = (await (await request.get(manifestPath(livestream.id, 'hls'))).text()).split('\n').find((l) => l && !l.startsWith('#'))!;
    await expect.poll(async () => (await (await request.get(`${mediaPath(livestream.id)}/${variant}`)).text()).includes('#EXT-X-DISCONTINUITY'), { timeout: 20_000 }).toBe(true);
    const playedAt = await page.evaluate(() => window.__axonPlayer!.video.currentTime);
    await expect.poll(() => page.evaluate(() => window.__axonPlayer!.video.currentTime), { timeout: 30_000 }).toBeGreaterThan(playedAt + 6);
  });
});

test('the studio over WHIP sends its H.264 simulcast layers in the offer, and they are the rungs until the camera is resized', async ({ browser, request }) => {
  const ls = await createLivestream(request, 'e2e simulcast whip');
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, permissions: ['camera', 'microphone'] });
  try {
    const studio = await context.newPage();
    await studio.goto(studioUrl(ls));
    await studio.locator('#protocol').selectOption('whip');
    await studio.locator('#codec').selectOption('h264');
    await studio.locator('#simulcast').check();
    await goLive(studio);
    await expect.poll(async () => (await health(request, ls.id))?.topRung?.mode, { timeout: 15_000 }).toBe('layers');
    expect(rungHeights(await (await request.get(manifestPath(ls.id, 'hls'))).text())).toEqual(LAYER_HEIGHTS);
    expect(transcoderArgs(ls.id)).not.toContain('libx264');
    // A smaller picture resizes every layer without stopping one: a copied rung cannot change its size.
    await studio.evaluate(async () => {
      const track = (document.querySelector('video')!.srcObject as MediaStream).getVideoTracks()[0]!;
      await track.applyConstraints({ width: 480, height: 360 });
    });
    await expect.poll(async () => (await health(request, ls.id))?.topRung, { timeout: 20_000 }).toMatchObject({
      mode: 'encode',
      reason: expect.stringMatching(/^the publisher's top layer is \d+x\d+, its rung 426x320/),
    });
    await expect.poll(() => transcoderArgs(ls.id)?.includes('libx264'), { timeout: 15_000 }).toBe(true);
  } finally {
    await context.close();
  }
});
