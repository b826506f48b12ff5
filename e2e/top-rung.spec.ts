import { type APIRequestContext, type BrowserContext, expect, type Page, test } from '@playwright/test';
import type { IngestHealth } from '../shared/ingest-health.js';
import type { Livestream } from '../shared/livestream.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { authHeaders, createLivestream } from './fixtures/api.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './fixtures/chromium.js';
import { expectPlayback } from './fixtures/playback.js';
import { broadcastInOwnContext } from './fixtures/studio.js';
import { countStalls, showRung, stalls } from './fixtures/rung-switching.js';
import { copiedRung, copiedTopRung, transcoderArgs } from './fixtures/top-rung.js';

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
    for (const height of SWITCHES) await showRung(page, 'hls', height);
    expect(await stalls(page)).toEqual([]);
  });

  test('dash.js switches between the copied and the encoded rungs without a stall of its own', async ({ page }) => {
    await page.goto(`/watch/${id}?format=dash`);
    await expectPlayback(page, 'dash');
    await countStalls(page);
    for (const height of SWITCHES) await showRung(page, 'dash', height);
    expect(await stalls(page)).toEqual([]);
  });
});

const FAKE_CAMERA = '--use-fake-device-for-media-stream';
// Chromium's fake camera runs at 20 fps unless told otherwise; a studio's H.264 is passed through at the ladder's 30.
test.use({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS.map((a) => (a === FAKE_CAMERA ? `${a}=fps=30` : a)) } });

/** Changes what the studio camera track captures (the preview shows the track the studio sends). */
async function setCamera(studio: Page, constraints: MediaTrackConstraints): Promise<void> {
  await studio.evaluate(async (c) => {
    const track = (document.querySelector('video')!.srcObject as MediaStream).getVideoTracks()[0]!;
    await track.applyConstraints(c);
  }, constraints);
}

const baseURL = () => test.info().project.use.baseURL;

const topRungState = async (request: APIRequestContext, id: string) =>
  ((await (await request.get(`/api/livestreams/${id}`, { headers: authHeaders })).json()).health as IngestHealth | undefined)?.topRung;

test.describe.serial('a studio publishing H.264: its top rung passed through', () => {
  let context: BrowserContext;
  let studio: Page;
  let ls: Livestream;

  test.beforeAll(async ({ browser, playwright }) => {
    ({ livestream: ls, studioContext: context, studio } = await broadcastInOwnContext(browser, playwright.request, baseURL(), 'Studio H.264 copied', 'h264'));
  });
  test.afterAll(() => context?.close());

  test('the top rung is the browser H.264 copied on 2 s segments, cut with the encoded rungs from the first, and the health says why', async ({ request }) => {
    // Copied from go-live with 4 whole segments after the first. A boundary keyframe the browser sends a
    // frame late (it drops frames when this machine is busy) sends the top rung back to encoding for 30 s:
    // the wait allows for one such return.
    const copiedRun = async () => ((await topRungState(request, ls.id))?.mode === 'copy' ? (await copiedTopRung(request, ls.id)).segmentDurationsS.length : 0);
    await expect.poll(copiedRun, { timeout: 75_000 }).toBeGreaterThanOrEqual(5);
    const top = await copiedTopRung(request, ls.id);
    expect(await topRungState(request, ls.id)).toEqual({
      mode: 'copy',
      reason: expect.stringMatching(/^the source's (Baseline|Main|High) \d\.\d H\.264 has a keyframe every 2 s$/),
    });
    expect(transcoderArgs(ls.id)?.join(' ')).toContain('-map 0:v:0 -c:v:0 copy');
    // What the meter read from the RTP (CODECS, RESOLUTION) is the SPS FFmpeg copied into the init segment;
    // the fake camera is 640x480, the top rung its own size.
    expect(top.declared).toEqual(top.copied);
    expect(top.copied).toMatchObject({ width: 640, height: 480 });
    // The keyframe clock put the browser keyframes on the boundaries: every segment is 2 s, within half a frame.
    for (const d of top.segmentDurationsS) expect(Math.abs(d - 2)).toBeLessThan(0.02);
    // The encoded rungs put their keyframes 2 s apart by timestamp: the copied video's timestamps never jump
    // (its RTCP sender report is FFmpeg's reference), so the run's segments, its first included, are theirs.
    const segments = async () => {
      const [copied, encoded] = await Promise.all([copiedTopRung(request, ls.id), copiedRung(request, ls.id, 1)]);
      return copied.segmentDurationsS.length === encoded.segmentDurationsS.length ? { copied: copied.segmentDurationsS, encoded: encoded.segmentDurationsS } : undefined;
    };
    let run: Awaited<ReturnType<typeof segments>>;
    await expect.poll(async () => (run = await segments()) !== undefined, { timeout: 10_000 }).toBe(true);
    const { copied, encoded } = run!;
    expect(copied.length).toBeGreaterThanOrEqual(5);
    copied.forEach((d, i) => expect(Math.abs(d - encoded[i]!), JSON.stringify({ copied, encoded })).toBeLessThan(1 / 30));
    // No hole in the first segment either (a jump leaves one of 0.1-1 s); a few frames the browser dropped pass.
    expect(await top.firstSegmentFrameGapS()).toBeLessThan(0.15);
  });

  test('a smaller picture mid-publish goes back to encoding, with a discontinuity, and hls.js plays on', async ({ page, request }) => {
    await page.goto(`/watch/${ls.id}`);
    await expectPlayback(page, 'hls');
    // As a browser adapting to its network would: the camera track sends a quarter of the picture.
    await setCamera(studio, { width: 320, height: 240 });
    await expect.poll(() => topRungState(request, ls.id), { timeout: 20_000 }).toEqual({
      mode: 'encode',
      reason: expect.stringMatching(/^the source is 320x240, the top rung 640x480 \(a browser lowers/),
    });
    await expect.poll(async () => (await copiedTopRung(request, ls.id)).playlist, { timeout: 20_000 }).toContain('#EXT-X-DISCONTINUITY');
    expect(transcoderArgs(ls.id)?.join(' ')).not.toContain('-c:v:0 copy');
    const start = await page.evaluate(() => window.__axonPlayer!.video.currentTime);
    await expect.poll(() => page.evaluate(() => window.__axonPlayer!.video.currentTime), { timeout: 20_000 }).toBeGreaterThan(start + 4);
  });
});

test('a studio publishing VP8 is encoded, and the health says why', async ({ browser, playwright, request }) => {
  const { livestream, studioContext } = await broadcastInOwnContext(browser, playwright.request, baseURL(), 'Studio VP8 encoded', 'vp8');
  try {
    expect(await topRungState(request, livestream.id)).toEqual({ mode: 'encode', reason: "the source's video is VP8; passthrough needs H.264" });
    expect(transcoderArgs(livestream.id)?.join(' ')).not.toContain('-c:v:0 copy');
  } finally {
    await studioContext.close();
  }
});
