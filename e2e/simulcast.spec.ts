import fs from 'node:fs';
import { expect, test, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import type { IngestHealth } from '../shared/ingest-health.js';
import type { Livestream } from '../shared/livestream.js';
import { manifestPath, mediaPath } from '../shared/public-paths.js';
import { h264SpsFacts } from '../server/src/ingest/h264-sps.js';
import { authHeaders, createLivestream, rungHeights } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';
import { countStalls, showRung, stalls } from './fixtures/rung-switching.js';
import { goLive, studioUrl } from './fixtures/studio.js';
import { recordPeerConnections } from './fixtures/webrtc.js';

/**
 * The fake camera is 640x480, of which Chromium sends two of the three layers asked for (1/4 and 1/2 of it:
 * it leaves the top ones out below 960x540).
 */
const LAYER_HEIGHTS = [240, 120];
/** Down to the smallest layer and back up to the top one. */
const SWITCHES = [120, 240];

const health = async (request: APIRequestContext, id: string) =>
  (await (await request.get(`/api/livestreams/${id}`, { headers: authHeaders })).json()).health as IngestHealth | undefined;

/** The command line of the FFmpeg making this livestream's ladder now (the dash muxer writing under its directory). */
function transcoderArgs(id: string): string[] | undefined {
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (args.includes('dash') && args.some((a) => a.includes(`/${id}/`))) return args;
  }
  return undefined;
}

/** Each rung of the master playlist: its RESOLUTION height, its CODECS video codec, and the SPS of its latest init segment. */
async function rungsAsServed(request: APIRequestContext, id: string) {
  const master = await (await request.get(manifestPath(id, 'hls'))).text();
  const variants = [...master.matchAll(/#EXT-X-STREAM-INF:[^\n]*RESOLUTION=\d+x(\d+)[^\n]*CODECS="(avc1\.[0-9a-f]+)[^\n]*\n([^\n]+)/g)];
  return Promise.all(
    variants.map(async ([, height, codec, uri]) => {
      const playlist = await (await request.get(`${mediaPath(id)}/${uri!.trim()}`)).text();
      const init = [...playlist.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)].at(-1)![1]!;
      const box = Buffer.from(await (await request.get(`${mediaPath(id)}/${init}`)).body());
      // avcC: version, profile, compatibility, level, length size, SPS count, then the first SPS (16-bit length).
      const at = box.indexOf('avcC') + 4;
      const sps = h264SpsFacts(box.subarray(at + 8, at + 8 + box.readUInt16BE(at + 6)))!;
      return { height: Number(height), codec: codec!, sps };
    }),
  );
}

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
    const rungs = await rungsAsServed(request, livestream.id);
    expect(rungs.map((r) => r.height)).toEqual(LAYER_HEIGHTS);
    for (const { height, codec, sps } of rungs) {
      // The browser's own Constrained Baseline at the layer's size; x264 would have written High.
      expect(sps).toMatchObject({ profileIdc: 66, height });
      expect(codec).toBe(`avc1.${[sps.profileIdc, sps.constraintFlags, sps.levelIdc].map((b) => b.toString(16).padStart(2, '0')).join('')}`);
    }
  });

  for (const engine of ['hls', 'dash'] as const) {
    test(`${engine === 'hls' ? 'hls.js' : 'dash.js'} switches between the layers without a stall of its own`, async ({ page }) => {
      await page.goto(`/watch/${livestream.id}${engine === 'dash' ? '?format=dash' : ''}`);
      await expectPlayback(page, engine);
      await countStalls(page);
      for (const height of SWITCHES) await showRung(page, engine, height);
      expect(await stalls(page)).toEqual([]);
    });
  }

  test('a layer switched off moves the broadcast to encoding, with a discontinuity, and the player plays on', async ({ page, request }) => {
    await page.goto(`/watch/${livestream.id}`);
    await expectPlayback(page, 'hls');
    await studio.evaluate(async () => {
      const sender = window.__peerConnections!.flatMap((pc) => pc.getSenders()).find((s) => s.track?.kind === 'video')!;
      const parameters = sender.getParameters();
      // The lowest layer: the top one stays for the encoder to read.
      parameters.encodings[0]!.active = false;
      await sender.setParameters(parameters);
    });
    await expect.poll(async () => (await health(request, livestream.id))?.topRung?.mode, { timeout: 15_000 }).toBe('encode');
    expect((await health(request, livestream.id))?.topRung?.reason).toContain('stopped sending');
    await expect.poll(() => transcoderArgs(livestream.id)?.includes('libx264'), { timeout: 15_000 }).toBe(true);
    // The same renditions, now encoded from the top layer after a discontinuity.
    expect(rungHeights(await (await request.get(manifestPath(livestream.id, 'hls'))).text())).toEqual(LAYER_HEIGHTS);
    const variant = (await (await request.get(manifestPath(livestream.id, 'hls'))).text()).split('\n').find((l) => l && !l.startsWith('#'))!;
    await expect.poll(async () => (await (await request.get(`${mediaPath(livestream.id)}/${variant}`)).text()).includes('#EXT-X-DISCONTINUITY'), { timeout: 20_000 }).toBe(true);
    const playedAt = await page.evaluate(() => window.__axonPlayer!.video.currentTime);
    await expect.poll(() => page.evaluate(() => window.__axonPlayer!.video.currentTime), { timeout: 30_000 }).toBeGreaterThan(playedAt + 6);
  });
});
