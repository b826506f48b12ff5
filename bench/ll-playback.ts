import type { Page } from 'playwright-core';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { runInChromium, type BrowserRun } from './lib/browser.js';
import { NAME_SHIM } from './lib/canvas-clock.js';
import { waitUntilPlayable } from './lib/hls.js';
import { msSinceFirstPlay, stallsBetween, watchPageStalls, watchStallsNow } from './lib/stall-watch.js';
import { openStandardHlsPage } from './lib/standard-hls.js';

/** How long each viewer is watched, from its first frame: the issue asks for 5 minutes. */
const FULL_WATCH_S = 300;
const QUICK_WATCH_S = 15;
const GO_LIVE_TIMEOUT_MS = 45_000;
const FIRST_PLAY_TIMEOUT_MS = 45_000;

type Viewer = 'LL-HLS' | 'LL-DASH' | 'standard HLS';

interface RunResult {
  stallsPerMin: Record<Viewer, number>;
}

/** A watch page in a window of its own (a background tab is not painted), counting its stalls from the start. */
async function openWatchPage(run: BrowserRun, url: string): Promise<Page> {
  const page = await (await run.newContext()).newPage();
  await page.addInitScript({ content: NAME_SHIM });
  await watchPageStalls(page);
  await page.goto(url);
  return page;
}

async function firstPlay(page: Page, viewer: Viewer): Promise<void> {
  const deadline = Date.now() + FIRST_PLAY_TIMEOUT_MS;
  while ((await msSinceFirstPlay(page)) === null) {
    if (Date.now() > deadline) throw new Error(`the ${viewer} viewer did not start playing within ${FIRST_PLAY_TIMEOUT_MS / 1000} s`);
    await sleep(250);
  }
}

/**
 * One broadcast (FFmpeg over RTMP, 360p: the ladder costs little, so the players are what is measured)
 * watched by the watch page's LL-HLS and LL-DASH players, opened before it goes live so that they join at
 * go-live, and by standard hls.js opened once the first segment is there. Each viewer's stalls (`waiting`
 * after its first frame) are counted over `watchS` seconds from its first frame, the join included.
 */
async function oneRun(run: BrowserRun, index: number, watchS: number, log: (line: string) => void): Promise<RunResult> {
  const { server } = run;
  const livestream = await server.createLivestream(`bench ll playback ${index}`);
  const watch = `${server.baseUrl}/watch/${livestream.id}`;
  const [llHls, llDash] = await Promise.all([openWatchPage(run, watch), openWatchPage(run, `${watch}?format=dash`)]);
  const publisher = new FfmpegRtmpPublisher({ url: `${livestream.rtmpUrl}/${livestream.streamKey}`, width: 640, height: 360, keyframeIntervalS: 2 });
  try {
    const masterUrl = `${server.baseUrl}/live/${livestream.id}/master.m3u8`;
    await waitUntilPlayable(masterUrl, GO_LIVE_TIMEOUT_MS);
    const standard = await openStandardHlsPage(await run.newContext(), masterUrl, watchStallsNow);
    const viewers: Array<[Viewer, Page]> = [['LL-HLS', llHls], ['LL-DASH', llDash], ['standard HLS', standard]];
    await Promise.all(viewers.map(([viewer, page]) => firstPlay(page, viewer)));
    // Every viewer has played watchS seconds once the last one to start has.
    const started = await Promise.all(viewers.map(([, page]) => msSinceFirstPlay(page)));
    await sleep(watchS * 1000 - Math.min(...started.map((ms) => ms ?? 0)));
    const stallsPerMin = {} as Record<Viewer, number>;
    for (const [viewer, page] of viewers) {
      const stalls = await stallsBetween(page, 0, watchS * 1000);
      stallsPerMin[viewer] = (stalls.length * 60) / watchS;
      log(`run ${index}: ${viewer} stalled ${stalls.length} times in ${watchS} s${stalls.length ? ` (at ${stalls.map((w) => `${(w.atMs / 1000).toFixed(1)} s, media time ${w.currentTime.toFixed(2)} s, with ${w.aheadS.toFixed(2)} s buffered at ${w.playbackRate.toFixed(2)}x`).join('; ')})` : ''}`);
    }
    if (publisher.process.exitCode !== null) throw new Error(`the RTMP publisher exited early: ${publisher.errors}`);
    return { stallsPerMin };
  } finally {
    await publisher.kill();
  }
}

/** Issue 18's stall figure: stalls per minute of LL-HLS and LL-DASH playback on loopback, beside standard HLS. */
export const llPlayback: Benchmark = {
  name: 'll-playback',
  title: 'Low-latency playback: stalls per minute of LL-HLS and LL-DASH over 5 minutes, beside standard HLS',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const watchS = quick ? QUICK_WATCH_S : FULL_WATCH_S;
    const results = await runInChromium(runs, (run, i) => oneRun(run, i, watchS, log));
    const perMin = (viewer: Viewer) => results.map((r) => r.stallsPerMin[viewer]);
    const reference = { name: 'standard HLS', values: perMin('standard HLS') };
    return [
      { metric: `LL-HLS (hls.js) stalls per minute over ${watchS} s from joining at go-live`, values: perMin('LL-HLS'), target: { op: '<=', value: 0 }, reference },
      { metric: `LL-DASH (dash.js) stalls per minute over ${watchS} s from joining at go-live`, values: perMin('LL-DASH'), target: { op: '<=', value: 0 }, reference },
    ];
  },
};
