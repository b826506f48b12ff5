import type { Page } from 'playwright-core';
// Declares window.__axonPlayer for the page functions below.
import type {} from '../client/src/player/player-handle.js';
import { SEGMENT_DURATION_S } from '../shared/constants.js';
import type { AxonServer } from './lib/axon-server.js';
import { MB, sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { openStudio, runInChromium, type BrowserRun } from './lib/browser.js';
import { waitUntilPlayable } from './lib/hls.js';
import { median } from './lib/stats.js';
import type { ProcessSample } from './lib/process-tree.js';
import { sampleWindow } from './lib/sample-window.js';
import { rssByGroup, TreeMeter } from './lib/tree-meter.js';

/** How long each phase of a run lasts. */
interface Durations {
  /** After /healthz answers, before the idle memory reading: start-up work (JIT, workers) settles. */
  idleSettleS: number;
  /** After the viewer starts playing, before measuring: hls.js reaches its steady distance from live. */
  warmUpS: number;
  /** The measured window of the broadcast: latency samples, CPU and memory. */
  measureS: number;
}

const FULL: Durations = { idleSettleS: 3, warmUpS: 6, measureS: 20 };
const QUICK: Durations = { idleSettleS: 1, warmUpS: 2, measureS: 4 };
const LATENCY_SAMPLE_MS = 500;
const GO_LIVE_TIMEOUT_MS = 30_000;
const PLAYBACK_START_TIMEOUT_MS = 30_000;

/** The server's tree: Node and its mediasoup workers are "server"; the broadcast's transcoder is "ffmpeg". */
const classify = (p: ProcessSample) => (p.comm === 'ffmpeg' ? 'ffmpeg' : 'server');

interface RunResult {
  goLiveS: number;
  latencyS: number;
  serverCores: number;
  ffmpegCores: number;
  serverIdleMb: number;
  ffmpegIdleMb: number;
  serverLiveMb: number;
  ffmpegLiveMb: number;
}

/** Clicks "Go live" and returns the click's wall-clock time, read in the page as the click happens. */
async function clickGoLive(studio: Page): Promise<number> {
  const button = studio.getByRole('button', { name: 'Go live' });
  // Enabled once the (fake) camera previews.
  await studio.waitForFunction(
    () => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Go live' && !b.disabled),
    undefined,
    { timeout: 15_000 },
  );
  await studio.evaluate(() => {
    document.addEventListener('click', () => ((globalThis as { benchClickAt?: number }).benchClickAt ??= Date.now()), {
      capture: true,
    });
  });
  await button.click();
  const clickedAt = await studio.evaluate(() => (globalThis as { benchClickAt?: number }).benchClickAt);
  if (clickedAt === undefined) throw new Error('the click on "Go live" did not reach the page');
  return clickedAt;
}

async function studioError(studio: Page): Promise<string | null> {
  const box = studio.getByTestId('studio-error');
  return (await box.isVisible()) ? await box.textContent() : null;
}

/** now − hls.playingDate, in the page: how far behind the broadcast's wall clock the frame on screen is. */
const readLatencyMs = (viewer: Page) =>
  viewer.evaluate(() => {
    const date = window.__axonPlayer?.hls?.playingDate;
    return date ? Date.now() - date.getTime() : null;
  });

const playbackPosition = (viewer: Page) => viewer.evaluate(() => window.__axonPlayer?.video.currentTime ?? 0);

/** The measured window: latency from the viewer, CPU and peak memory from the server's process tree. */
async function measureBroadcast(server: AxonServer, viewer: Page, d: Durations) {
  const meter = await TreeMeter.start(server.pid, classify, 1000);
  const startPosition = await playbackPosition(viewer);
  let latenciesMs: number[];
  try {
    // Samples without a playingDate have no latency to read and are left out.
    latenciesMs = await sampleWindow(LATENCY_SAMPLE_MS, d.measureS, () => readLatencyMs(viewer));
  } catch (err) {
    await meter.stop();
    throw err;
  }
  const { groups } = await meter.stop();
  const played = (await playbackPosition(viewer)) - startPosition;
  // A stalled player drifts away from live and would make the latency mean nothing.
  if (played < d.measureS * 0.8) throw new Error(`the viewer played only ${played.toFixed(1)} s of a ${d.measureS} s window`);
  if (latenciesMs.length < (d.measureS * 1000) / LATENCY_SAMPLE_MS / 2) throw new Error('hls.js gave too few playingDate samples');
  if (!groups.ffmpeg || !groups.server) throw new Error('no FFmpeg ran under the server during the broadcast');
  return { latencyS: median(latenciesMs) / 1000, server: groups.server, ffmpeg: groups.ffmpeg };
}

async function oneRun(run: BrowserRun, index: number, d: Durations, log: (line: string) => void): Promise<RunResult> {
  const { server } = run;
  await sleep(d.idleSettleS * 1000);
  const idle = await rssByGroup(server.pid, classify);
  const livestream = await server.createLivestream(`bench spine ${index}`);

  const studio = await openStudio(run, livestream);
  const masterUrl = `${server.baseUrl}/live/${livestream.id}/master.m3u8`;
  // Polling starts before the click: it cannot succeed earlier, and so it misses nothing after.
  const playable = waitUntilPlayable(masterUrl, GO_LIVE_TIMEOUT_MS);
  playable.catch(() => undefined);
  const clickedAt = await clickGoLive(studio);
  const playableAt = await playable.catch(async (err: Error) => {
    throw new Error(`${err.message}; studio says: ${(await studioError(studio)) ?? 'nothing'}\n${server.logTail()}`);
  });
  const goLiveS = (playableAt - clickedAt) / 1000;
  log(`run ${index}: playable ${goLiveS.toFixed(2)} s after "Go live"`);

  const audience = await run.newContext();
  const viewer = await audience.newPage();
  await viewer.goto(`${server.baseUrl}/watch/${livestream.id}`);
  await viewer.waitForFunction(
    () => window.__axonPlayer?.engine === 'hls' && !!window.__axonPlayer.hls?.playingDate && window.__axonPlayer.video.currentTime > 0,
    undefined,
    { timeout: PLAYBACK_START_TIMEOUT_MS },
  );
  await sleep(d.warmUpS * 1000);
  const { latencyS, server: srv, ffmpeg } = await measureBroadcast(server, viewer, d);
  log(`run ${index}: latency ${latencyS.toFixed(2)} s, CPU server ${srv.cores.toFixed(2)} + FFmpeg ${ffmpeg.cores.toFixed(2)} cores`);

  await studio.getByRole('button', { name: 'End stream' }).click();
  return {
    goLiveS,
    latencyS,
    serverCores: srv.cores,
    ffmpegCores: ffmpeg.cores,
    serverIdleMb: (idle.server ?? 0) / MB,
    ffmpegIdleMb: (idle.ffmpeg ?? 0) / MB,
    serverLiveMb: srv.peakRssBytes / MB,
    ffmpegLiveMb: ffmpeg.peakRssBytes / MB,
  };
}

/** The issue-2 benchmarks: go-live time, HLS viewer latency, CPU and memory of one WebRTC broadcast. */
export const spine: Benchmark = {
  name: 'spine',
  title: 'Studio broadcast: go-live, HLS latency, CPU and memory',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const results = await runInChromium(runs, (run, i) => oneRun(run, i, d, log));
    const values = (pick: (r: RunResult) => number) => results.map(pick);
    return [
      { metric: 'go-live time (s)', values: values((r) => r.goLiveS), target: { op: '<=', value: 3 } },
      {
        metric: `HLS viewer latency, ${SEGMENT_DURATION_S} s segments (s)`,
        values: values((r) => r.latencyS),
        target: { op: '<=', value: 5 },
      },
      { metric: 'CPU during broadcast: server (cores)', values: values((r) => r.serverCores) },
      { metric: 'CPU during broadcast: FFmpeg (cores)', values: values((r) => r.ffmpegCores) },
      { metric: 'CPU during broadcast: total (cores)', values: values((r) => r.serverCores + r.ffmpegCores) },
      { metric: 'RSS idle: server (MB)', values: values((r) => r.serverIdleMb) },
      { metric: 'RSS idle: FFmpeg (MB)', values: values((r) => r.ffmpegIdleMb) },
      { metric: 'RSS during broadcast: server (MB)', values: values((r) => r.serverLiveMb), target: { op: '<=', value: 300 } },
      { metric: 'RSS during broadcast: FFmpeg (MB)', values: values((r) => r.ffmpegLiveMb) },
    ];
  },
};
