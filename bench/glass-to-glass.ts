import type { BrowserContext, Page } from 'playwright-core';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { openStudio, runInChromium, type BrowserRun } from './lib/browser.js';
import { clockCamera, NAME_SHIM, PATTERN, startReading, stopReading, type Reading } from './lib/canvas-clock.js';
import { waitUntilPlayable } from './lib/hls.js';
import { openStandardHlsPage } from './lib/standard-hls.js';
import { median, percentile } from './lib/stats.js';

/** How long each phase of a run lasts. */
interface Durations {
  /** After every viewer plays: the players settle at their distance from live, WebRTC's jitter buffer at its size. */
  warmUpS: number;
  /** Frames read back by every viewer. */
  measureS: number;
}

const FULL: Durations = { warmUpS: 8, measureS: 30 };
// The smoke run's warm-up still has to outlast a low-latency player's first catch-up to the live edge: after
// 2 s the LL-HLS viewer was once caught mid-rebuffer (29 frames painted in 4 s) on a machine busy with the rest of the suite.
const QUICK: Durations = { warmUpS: 6, measureS: 4 };
const GO_LIVE_TIMEOUT_MS = 45_000;
const PLAYBACK_TIMEOUT_MS = 30_000;
/** A run whose viewer read fewer frames than this share of the window's (at 30 fps) measured nothing. */
const MIN_READ_SHARE = 0.5;


type Viewer = 'WHEP' | 'LL-HLS' | 'LL-DASH' | 'standard HLS';

const isPlaying = () => (window.__axonPlayer?.video.currentTime ?? 0) > 0 && !window.__axonPlayer!.video.paused;

async function openWatchPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript({ content: NAME_SHIM });
  await page.goto(url);
  await page.waitForFunction(isPlaying, undefined, { timeout: PLAYBACK_TIMEOUT_MS });
  return page;
}

/** The standard-HLS reference viewer, once it plays. */
async function openStandardHls(context: BrowserContext, masterUrl: string): Promise<Page> {
  const page = await openStandardHlsPage(context, masterUrl);
  await page.waitForFunction(isPlaying, undefined, { timeout: PLAYBACK_TIMEOUT_MS });
  return page;
}

function checkReading(name: Viewer, reading: Reading, d: Durations): number[] {
  if (reading.samples.length < d.measureS * 30 * MIN_READ_SHARE) {
    throw new Error(`the ${name} viewer read the clock from ${reading.samples.length} of ${reading.frames} frames in ${d.measureS} s`);
  }
  return reading.samples;
}

/** A low-latency viewer's glass to glass beside what its player says, on the same frames. */
interface ReadoutResult {
  /** Glass to glass from the canvas clock, median of frames (s). */
  glassS: number;
  /** The player's latency readout, median of the same frames (s). */
  readoutS: number;
}

/** Medians of a viewer's glass-to-glass samples and of its player's readouts at the same frames. */
function readoutResult(name: Viewer, reading: Reading, samples: number[]): ReadoutResult {
  if (reading.readouts.length < samples.length * MIN_READ_SHARE) {
    throw new Error(`the ${name} player gave a latency readout at ${reading.readouts.length} of ${samples.length} frames`);
  }
  return { glassS: median(samples) / 1000, readoutS: median(reading.readouts) / 1000 };
}

interface RunResult {
  goLiveS: number;
  whepMs: number;
  whepP95Ms: number;
  llHls: ReadoutResult;
  llDash: ReadoutResult;
  standardHlsS: number;
  llHlsStallsPerMin: number;
  llDashStallsPerMin: number;
}

async function oneRun(run: BrowserRun, index: number, d: Durations, log: (line: string) => void): Promise<RunResult> {
  const { server } = run;
  const livestream = await server.createLivestream(`bench glass ${index}`);
  const masterUrl = `${server.baseUrl}/live/${livestream.id}/master.m3u8`;
  const studio = await openStudio(run, livestream, async (page) => {
    await page.addInitScript({ content: NAME_SHIM });
    await page.addInitScript(clockCamera, PATTERN);
  });
  await studio.locator('#protocol').selectOption('whip');
  const goLive = studio.getByRole('button', { name: 'Go live' });
  await goLive.waitFor({ timeout: 15_000 });
  const clickedAt = Date.now();
  await goLive.click({ timeout: 15_000 });
  const firstPartAt = await waitUntilPlayable(masterUrl, GO_LIVE_TIMEOUT_MS, { marker: '#EXT-X-PART:' });

  // A context (a window) each: a second tab in one window is not painted, and would present no frames.
  const watch = `${server.baseUrl}/watch/${livestream.id}`;
  const contexts = await Promise.all([0, 1, 2, 3].map(() => run.newContext()));
  const pages = await Promise.all([
    openWatchPage(contexts[0]!, `${watch}?format=webrtc`),
    openWatchPage(contexts[1]!, watch),
    openWatchPage(contexts[2]!, `${watch}?format=dash`),
    openStandardHls(contexts[3]!, masterUrl),
  ]);
  const names: Viewer[] = ['WHEP', 'LL-HLS', 'LL-DASH', 'standard HLS'];
  await sleep(d.warmUpS * 1000);
  await Promise.all(pages.map((page) => page.evaluate(startReading, PATTERN)));
  await sleep(d.measureS * 1000);
  const readings = await Promise.all(pages.map(stopReading));
  const [whep, llHls, llDash, standard] = readings.map((r, i) => checkReading(names[i]!, r, d)) as [number[], number[], number[], number[]];
  const perMinute = (stalls: number) => (stalls * 60) / d.measureS;
  const result: RunResult = {
    goLiveS: (firstPartAt - clickedAt) / 1000,
    whepMs: median(whep),
    whepP95Ms: percentile(whep, 95),
    llHls: readoutResult('LL-HLS', readings[1]!, llHls),
    llDash: readoutResult('LL-DASH', readings[2]!, llDash),
    standardHlsS: median(standard) / 1000,
    llHlsStallsPerMin: perMinute(readings[1]!.stalls),
    llDashStallsPerMin: perMinute(readings[2]!.stalls),
  };
  log(
    `run ${index}: go-live ${result.goLiveS.toFixed(2)} s; WHEP ${result.whepMs.toFixed(0)} ms (p95 ${result.whepP95Ms.toFixed(0)} ms), ` +
      `LL-HLS ${result.llHls.glassS.toFixed(2)} s (its player says ${result.llHls.readoutS.toFixed(2)} s), ` +
      `LL-DASH ${result.llDash.glassS.toFixed(2)} s (its player says ${result.llDash.readoutS.toFixed(2)} s), standard HLS ${result.standardHlsS.toFixed(2)} s; ` +
      `clock read in ${readings.map((r, i) => `${names[i]} ${r.samples.length}/${r.frames}`).join(', ')} frames; ` +
      `stalls LL-HLS ${readings[1]!.stalls}, LL-DASH ${readings[2]!.stalls}`,
  );
  await studio.getByRole('button', { name: 'End stream' }).click();
  return result;
}

/**
 * Issues 5 and 18: one studio broadcast watched at once over WHEP, LL-HLS (hls.js), LL-DASH (dash.js) and
 * standard HLS (hls.js without low-latency mode), glass to glass on one clock, and beside it what the
 * low-latency players say their latency is (truthful clocks: PROGRAM-DATE-TIME, DASH availability).
 */
export const glassToGlass: Benchmark = {
  name: 'glass-to-glass',
  title: 'Glass to glass: WHEP, LL-HLS, LL-DASH and standard HLS of the same broadcast',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const results = await runInChromium(runs, (run, i) => oneRun(run, i, d, log));
    const values = (pick: (r: RunResult) => number) => results.map(pick);
    const standard = { name: 'standard HLS', values: values((r) => r.standardHlsS) };
    const llHls = values((r) => r.llHls.glassS);
    const llDash = values((r) => r.llDash.glassS);
    const gap = (of: (r: RunResult) => ReadoutResult) => values((r) => Math.abs(of(r).readoutS - of(r).glassS));
    return [
      { metric: 'LL-HLS (hls.js) latency, median of frames (s)', values: llHls, target: { op: '<=', value: 2.0 } },
      { metric: 'LL-HLS latency against standard HLS of the same broadcast', values: llHls, target: { op: '<=', value: 0.55, of: 'ratio' }, reference: standard },
      { metric: 'LL-HLS player readout (now − PROGRAM-DATE-TIME on screen), same frames (s)', values: values((r) => r.llHls.readoutS), reference: { name: 'glass to glass', values: llHls } },
      { metric: 'LL-HLS player readout vs glass to glass, absolute difference (s)', values: gap((r) => r.llHls), target: { op: '<=', value: 0.3 } },
      { metric: 'LL-DASH (dash.js) latency, median of frames (s)', values: llDash, target: { op: '<=', value: 2.5 } },
      { metric: 'LL-DASH player readout (getCurrentLiveLatency), same frames (s)', values: values((r) => r.llDash.readoutS), reference: { name: 'glass to glass', values: llDash } },
      { metric: 'LL-DASH player readout vs glass to glass, absolute difference (s)', values: gap((r) => r.llDash), target: { op: '<=', value: 0.3 } },
      { metric: 'WHEP viewer latency, median of frames (ms)', values: values((r) => r.whepMs), target: { op: '<=', value: 300 } },
      { metric: 'WHEP viewer latency, 95th percentile of frames (ms)', values: values((r) => r.whepP95Ms) },
      { metric: 'go-live: "Go live" click → first playable part (s)', values: values((r) => r.goLiveS), target: { op: '<=', value: 1.5 } },
      { metric: 'LL-HLS stalls per minute', values: values((r) => r.llHlsStallsPerMin), target: { op: '<=', value: 0 } },
      { metric: 'LL-DASH stalls per minute', values: values((r) => r.llDashStallsPerMin), target: { op: '<=', value: 0 } },
    ];
  },
};
