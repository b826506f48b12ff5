import type { Page } from 'playwright-core';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { openStudio, runInChromium, type BrowserRun } from './lib/browser.js';
import { axonRunDirs } from './lib/ffmpeg-run-dir.js';
import { waitUntilPlayable } from './lib/hls.js';
import { type LegTiming, measureBareLadder } from './lib/ladder-legs.js';
import { measureLadderWindow, type LadderWindow } from './lib/ladder-window.js';
import { TEST_STREAM, testStreamFile } from './lib/test-stream.js';

/** The windows, and the length of the recording bare FFmpeg encodes (longer than its warm-up and window). */
type Durations = LegTiming & { inputS: number };

const FULL: Durations = { inputS: 60, warmUpS: 5, windowS: 30 };
const QUICK: Durations = { inputS: 15, warmUpS: 1, windowS: 6 };
const GO_LIVE_TIMEOUT_MS = 30_000;
/** Chromium's fake camera runs at 20 fps unless told otherwise: the publish is 720p at the ladder's 30. */
const CAMERA_30_FPS = ['--use-fake-device-for-media-stream=fps=30'];

interface RunResult {
  layers: LadderWindow;
  bare: LadderWindow;
  rungs: string;
  /** The publish's frame rate as the ingest measured it. */
  frameRate: number | null;
}

/** For page.addInitScript(): the studio's camera (Chromium's fake one) at 1280x720, 30 fps, whatever it asks for. */
function camera720p(): void {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) => {
    const video = constraints?.video;
    if (!video) return original(constraints);
    const asked = typeof video === 'object' ? video : {};
    return original({ ...constraints, video: { ...asked, width: 1280, height: 720, frameRate: 30 } });
  };
}

/** Goes live from the studio with H.264 simulcast (three layers of the 720p camera) and waits until playable. */
async function goLiveWithLayers(run: BrowserRun): Promise<{ studio: Page; livestreamId: string }> {
  const livestream = await run.server.createLivestream('bench simulcast');
  const studio = await openStudio(run, livestream, async (page) => void (await page.addInitScript(camera720p)));
  await studio.locator('#codec').selectOption('h264');
  await studio.locator('#simulcast').check();
  await studio.waitForFunction(() => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Go live' && !b.disabled), undefined, { timeout: 15_000 });
  await studio.getByRole('button', { name: 'Go live' }).click();
  await waitUntilPlayable(`${run.server.baseUrl}/live/${livestream.id}/master.m3u8`, GO_LIVE_TIMEOUT_MS).catch((err: Error) => {
    throw new Error(`${err.message}\n${run.server.logTail()}`);
  });
  return { studio, livestreamId: livestream.id };
}

/** One run: Axon packaging the studio's layers (Chromium's own CPU is not Axon's: it is outside the server's tree), then bare FFmpeg. */
async function oneRun(run: BrowserRun, input: string, d: Durations): Promise<RunResult> {
  const { livestreamId } = await goLiveWithLayers(run);
  await sleep(d.warmUpS * 1000);
  const health = JSON.parse((await run.server.request(`/api/livestreams/${livestreamId}`, { headers: { authorization: `Bearer ${run.server.apiToken}` } })).body) as {
    health?: { topRung?: { mode: string; reason: string }; frameRate: number | null };
  };
  const mode = health.health?.topRung;
  if (mode?.mode !== 'layers') throw new Error(`the broadcast is not in layers mode: ${mode?.mode ?? 'no mode'} (${mode?.reason ?? ''})`);
  // A run directory of its own: a mode change inside the window would show as a second one.
  const runDir = () => {
    const dirs = axonRunDirs(run.server.dataDir, livestreamId);
    if (dirs.length !== 1) throw new Error(`the broadcast changed mode inside the window (${dirs.length} runs)\n${run.server.logTail()}`);
    return dirs[0]!;
  };
  const layers = await measureLadderWindow(run.server.pid, runDir, d.windowS);
  const master = (await run.server.request(`/live/${livestreamId}/master.m3u8`)).body;
  const rungs = [...master.matchAll(/RESOLUTION=(\d+x\d+)/g)].map((m) => m[1]).join(', ');
  const bare = await measureBareLadder(input, d, false, TEST_STREAM);
  return { layers, bare, rungs, frameRate: health.health?.frameRate ?? null };
}

/**
 * Issue 21: a 720p30 studio publish of three H.264 simulcast layers, packaged by Axon as its rungs (layers
 * mode: no video decoded or encoded), beside bare FFmpeg encoding the full 720p ladder in the same run.
 * What Axon's processes cost per minute of input (Node, mediasoup worker, FFmpeg), and whether it keeps real
 * time. The rungs are the browser's own encodes, bit for bit: their PSNR against what Axon received is
 * infinite, and against the camera it is the browser's choice (bench/README.md).
 */
export const simulcastLadder: Benchmark = {
  name: 'simulcast-ladder',
  title: 'Simulcast layers as rungs: CPU and real time of a 720p30 studio publish in layers mode, vs bare FFmpeg encoding the full ladder',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const input = await testStreamFile(d.inputS, TEST_STREAM);
    const results = await runInChromium(runs, async (run, i) => {
      const r = await oneRun(run, input, d);
      log(`run ${i}: layers ${r.rungs} at ${r.frameRate?.toFixed(1) ?? '?'} fps: ${r.layers.totalCpuSPerMin.toFixed(2)} CPU-s/min (FFmpeg ${r.layers.ffmpegCpuSPerMin.toFixed(2)}, Node ${r.layers.nodeCpuSPerMin.toFixed(2)}, mediasoup ${r.layers.mediasoupCpuSPerMin.toFixed(2)}), speed ${r.layers.speed.toFixed(3)}; bare FFmpeg ${r.bare.totalCpuSPerMin.toFixed(1)} CPU-s/min`);
      return r;
    }, CAMERA_30_FPS);
    const bareCpu = { name: 'bare FFmpeg, full 720p ladder', values: results.map((r) => r.bare.totalCpuSPerMin) };
    const windows = results.map((r) => r.layers);
    return [
      {
        metric: '720p30 simulcast (3 layers): CPU per minute of input in layers mode, Node + mediasoup + FFmpeg (CPU-s)',
        values: windows.map((w) => w.totalCpuSPerMin),
        reference: bareCpu,
        target: { op: '<=', value: 0.1, of: 'ratio' },
      },
      { metric: '… of which FFmpeg (CPU-s)', values: windows.map((w) => w.ffmpegCpuSPerMin), reference: bareCpu },
      { metric: '… of which Node (CPU-s)', values: windows.map((w) => w.nodeCpuSPerMin) },
      { metric: '… of which the mediasoup worker (CPU-s)', values: windows.map((w) => w.mediasoupCpuSPerMin) },
      {
        metric: 'layers mode speed (× real time)',
        values: windows.map((w) => w.speed),
        reference: { name: 'bare FFmpeg', values: results.map((r) => r.bare.speed) },
        target: { op: '>=', value: 0.99 },
      },
    ];
  },
};
