import type { BrowserContext, Page } from 'playwright-core';
// Declares window.__axonPlayer for the page functions below.
import type {} from '../client/src/player/player-handle.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { openStudio, runInChromium, type BrowserRun } from './lib/browser.js';
import { median, percentile } from './lib/stats.js';

/** How long each phase of a run lasts. */
interface Durations {
  /** After both viewers play: hls.js settles at its distance from live, WebRTC's jitter buffer at its size. */
  warmUpS: number;
  /** Frames read back by both viewers. */
  measureS: number;
}

const FULL: Durations = { warmUpS: 6, measureS: 20 };
const QUICK: Durations = { warmUpS: 2, measureS: 4 };
const GO_LIVE_TIMEOUT_MS = 45_000;
const PLAYBACK_TIMEOUT_MS = 30_000;
/** A run whose viewer read fewer frames than this share of the window's (at 30 fps) measured nothing. */
const MIN_READ_SHARE = 0.5;

/**
 * The clock pattern: Date.now() in its low 24 bits (4.6 hours, far more than any latency) and an 8-bit
 * check, as a grid of black and white blocks over the whole 640x360 picture. Large blocks survive the
 * ladder's smallest rung (a block is 32x36 pixels at 144p) and the encoders' artefacts.
 */
const PATTERN = { width: 640, height: 360, cols: 8, rows: 4 };

/** tsx keeps function names by wrapping inner functions in __name(): page functions need it defined there too. */
const NAME_SHIM = 'globalThis.__name = globalThis.__name || ((f) => f);';

/**
 * For page.addInitScript() on the studio: the "camera" is a canvas redrawn every 5 ms with the clock
 * pattern, captured at 30 fps. The frame a viewer sees therefore carries the time it was drawn, which
 * is at most 5 ms before it was captured.
 */
function clockCamera(p: typeof PATTERN): void {
  const canvas = document.createElement('canvas');
  canvas.width = p.width;
  canvas.height = p.height;
  const ctx = canvas.getContext('2d')!;
  const blockW = p.width / p.cols;
  const blockH = p.height / p.rows;
  setInterval(() => {
    const t = Date.now() & 0xffffff;
    const check = ((t >> 16) ^ (t >> 8) ^ t ^ 0x5a) & 0xff;
    const word = t * 256 + check;
    for (let i = 0; i < p.cols * p.rows; i++) {
      const bit = Math.floor(word / 2 ** (31 - i)) % 2;
      ctx.fillStyle = bit ? '#fff' : '#000';
      ctx.fillRect((i % p.cols) * blockW, Math.floor(i / p.cols) * blockH, blockW, blockH);
    }
  }, 5);
  const stream = canvas.captureStream(30);
  // The studio asks for a camera and a microphone: it gets the clock and no sound (the server adds silence).
  navigator.mediaDevices.getUserMedia = async () => new MediaStream(stream.getVideoTracks().map((t) => t.clone()));
}

/**
 * In a viewer page: reads the clock pattern back from every frame the <video> presents
 * (requestVideoFrameCallback, i.e. as it goes to the screen) and records now − the frame's time.
 */
function startReading(p: typeof PATTERN): void {
  const video = window.__axonPlayer!.video;
  const canvas = document.createElement('canvas');
  // One pixel per quarter block: the centre of each block is what is read.
  canvas.width = p.cols * 4;
  canvas.height = p.rows * 4;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const state = { samples: [] as number[], frames: 0, stop: false };
  (window as unknown as { __clockReader: typeof state }).__clockReader = state;
  const onFrame = () => {
    if (state.stop) return;
    const now = Date.now();
    state.frames++;
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let word = 0;
    for (let i = 0; i < p.cols * p.rows; i++) {
      const x = (i % p.cols) * 4 + 2;
      const y = Math.floor(i / p.cols) * 4 + 2;
      const at = (y * canvas.width + x) * 4;
      const luma = (pixels[at]! + pixels[at + 1]! + pixels[at + 2]!) / 3;
      word = word * 2 + (luma > 128 ? 1 : 0);
    }
    const t = Math.floor(word / 256);
    const check = word % 256;
    if ((((t >> 16) ^ (t >> 8) ^ t ^ 0x5a) & 0xff) === check) {
      // The frame's time is the latest moment before now with these low 24 bits.
      state.samples.push((now - t + 0x1000000 * 2) % 0x1000000);
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

interface Reading {
  samples: number[];
  frames: number;
}

function stopReading(page: Page): Promise<Reading> {
  return page.evaluate(() => {
    const state = (window as unknown as { __clockReader: { samples: number[]; frames: number; stop: boolean } }).__clockReader;
    state.stop = true;
    return { samples: state.samples, frames: state.frames };
  });
}

async function openViewer(context: BrowserContext, url: string, engine: 'whep' | 'hls'): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript({ content: NAME_SHIM });
  await page.goto(url);
  await page.waitForFunction(
    (kind) => window.__axonPlayer?.engine === kind && window.__axonPlayer.video.currentTime > 0 && !window.__axonPlayer.video.paused,
    engine,
    { timeout: PLAYBACK_TIMEOUT_MS },
  );
  return page;
}

function checkReading(name: string, reading: Reading, d: Durations): number[] {
  if (reading.samples.length < d.measureS * 30 * MIN_READ_SHARE) {
    throw new Error(`the ${name} viewer read the clock from ${reading.samples.length} of ${reading.frames} frames in ${d.measureS} s`);
  }
  return reading.samples;
}

interface RunResult {
  whepMs: number;
  whepP95Ms: number;
  hlsS: number;
}

async function oneRun(run: BrowserRun, index: number, d: Durations, log: (line: string) => void): Promise<RunResult> {
  const { server } = run;
  const livestream = await server.createLivestream(`bench whep ${index}`);
  const studio = await openStudio(run, livestream, async (page) => {
    await page.addInitScript({ content: NAME_SHIM });
    await page.addInitScript(clockCamera, PATTERN);
  });
  await studio.locator('#protocol').selectOption('whip');
  await studio.getByRole('button', { name: 'Go live' }).click({ timeout: 15_000 });
  await studio.waitForFunction(() => document.querySelector('[data-testid="live-indicator"]')?.textContent === 'LIVE', undefined, {
    timeout: GO_LIVE_TIMEOUT_MS,
  });

  // A context (a window) each: a second tab in one window is not painted, and would present no frames.
  const audiences = [await run.newContext(), await run.newContext()];
  const watch = `${server.baseUrl}/watch/${livestream.id}`;
  const [whep, hls] = await Promise.all([openViewer(audiences[0]!, `${watch}?format=webrtc`, 'whep'), openViewer(audiences[1]!, watch, 'hls')]);
  await sleep(d.warmUpS * 1000);
  await Promise.all([whep, hls].map((page) => page.evaluate(startReading, PATTERN)));
  await sleep(d.measureS * 1000);
  const whepReading = await stopReading(whep);
  const hlsReading = await stopReading(hls);
  const whepSamples = checkReading('WHEP', whepReading, d);
  const hlsSamples = checkReading('HLS', hlsReading, d);
  const result = { whepMs: median(whepSamples), whepP95Ms: percentile(whepSamples, 95), hlsS: median(hlsSamples) / 1000 };
  log(
    `run ${index}: WHEP ${result.whepMs.toFixed(0)} ms (p95 ${result.whepP95Ms.toFixed(0)} ms; clock read in ${whepSamples.length} of ` +
      `${whepReading.frames} frames), HLS ${result.hlsS.toFixed(2)} s (${hlsSamples.length} of ${hlsReading.frames} frames)`,
  );
  await studio.getByRole('button', { name: 'End stream' }).click();
  return result;
}

/** Issue 5: publisher → WHEP viewer latency on loopback, beside the HLS viewer latency of the same broadcast. */
export const whepLatency: Benchmark = {
  name: 'whep-latency',
  title: 'Real-time (WHEP) viewer latency beside HLS, glass to glass',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const results = await runInChromium(runs, (run, i) => oneRun(run, i, d, log));
    return [
      { metric: 'WHEP viewer latency, median of frames (ms)', values: results.map((r) => r.whepMs), target: { op: '<=', value: 300 } },
      { metric: 'WHEP viewer latency, 95th percentile of frames (ms)', values: results.map((r) => r.whepP95Ms) },
      { metric: 'HLS viewer latency of the same broadcast, median of frames (s)', values: results.map((r) => r.hlsS) },
    ];
  },
};
