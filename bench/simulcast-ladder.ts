import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { IngestHealth } from '../shared/ingest-health.js';
import type { TopRungSetting } from '../shared/livestream.js';
import { parseRunDirName } from '../server/src/media/media-layout.js';
import { waitFor } from '../server/test/fixtures/wait-for.js';
import { startAxonServer, type AxonServer } from './lib/axon-server.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { openStudio, runAgainstFreshServer, withChromium, type BrowserRun } from './lib/browser.js';
import { axonRunDirs } from './lib/ffmpeg-run-dir.js';
import { waitUntilPlayable } from './lib/hls.js';
import { type LegTiming, measureBareLadder } from './lib/ladder-legs.js';
import { measureLadderWindow, type LadderWindow } from './lib/ladder-window.js';
import type { CameraSizeName } from '../client/src/studio/camera-size.js';
import { TEST_STREAM, TEST_STREAM_1080, testStreamFile, type TestStream } from './lib/test-stream.js';

/**
 * The windows, the length of the recording bare FFmpeg encodes (longer than its warm-up and window), and how
 * long each leg's mode must hold from when its health first says it, with no new FFmpeg run (at least the
 * warm-up and window).
 */
type Durations = LegTiming & { inputS: number; holdS: number };

const FULL: Durations = { inputS: 60, warmUpS: 5, windowS: 30, holdS: 60 };
const QUICK: Durations = { inputS: 15, warmUpS: 1, windowS: 6, holdS: 0 };
const GO_LIVE_TIMEOUT_MS = 30_000;
/**
 * How long a leg waits for its mode once playable: a layer that falls behind sends layers mode to encoding
 * for 30 s before its layers are the rungs again, and a boundary keyframe the browser sends a frame late (it
 * drops frames on a busy machine) does the same to a copied top rung.
 */
const MODE_TIMEOUT_MS = 45_000;
/**
 * A leg whose broadcast leaves its mode (layers mode goes to encoding when a layer misses a boundary) is
 * measured again on a fresh server, this many times at most; each try is logged with the server's reason, so
 * the log says how often the mode held.
 */
const LEG_ATTEMPTS = 3;
/** Chromium's fake camera runs at 20 fps unless told otherwise: the studio asks it for 30, the ladder's rate. */
const CAMERA_30_FPS = ['--use-fake-device-for-media-stream=fps=30'];

type TopRungMode = NonNullable<IngestHealth['topRung']>['mode'];

/** The broadcast was not, or stopped being, in the leg's mode. */
class ModeLost extends Error {}

/** The server's log lines where the ladder changed mode, with the reason it gave. */
function modeChanges(server: AxonServer): string {
  const lines = server.logTail(5000).split('\n').filter((line) => line.includes('the ladder changes mode'));
  return lines.length > 0 ? `; the server said:\n${lines.map((line) => line.slice(0, 400)).join('\n')}` : '';
}

type BenchCamera = Extract<CameraSizeName, '720p' | '1080p'>;

/**
 * One way the studio's publish reaches the ladder: the camera quality the streamer picks, what it sends, the
 * server's AXON_TOP_RUNG, the mode its health must say, and the target against bare FFmpeg's full ladder of
 * a source that size.
 */
interface StudioLeg {
  camera: BenchCamera;
  name: string;
  simulcast: boolean;
  topRung: TopRungSetting;
  mode: TopRungMode;
  cpuTarget?: number;
}

const LAYERS: StudioLeg = { camera: '720p', name: 'simulcast (3 layers)', simulcast: true, topRung: 'auto', mode: 'layers', cpuTarget: 0.1 };
const COPY: StudioLeg = { camera: '720p', name: 'single stream, top rung copied', simulcast: false, topRung: 'auto', mode: 'copy', cpuTarget: 0.7 };
const ENCODE: StudioLeg = { camera: '720p', name: 'single stream, ladder encoded', simulcast: false, topRung: 'encode', mode: 'encode' };
/** Full runs only (a quick run stays under 90 s): the same publish from the studio's 1080p camera quality. */
const FULL_HD: StudioLeg[] = [LAYERS, COPY].map((leg): StudioLeg => ({ ...leg, camera: '1080p' }));

/** The bare FFmpeg reference for a camera quality: the same test pattern and ladder at its size. */
const SOURCES: Record<BenchCamera, TestStream> = { '720p': TEST_STREAM, '1080p': TEST_STREAM_1080 };

interface LegResult {
  window: LadderWindow;
  rungs: string;
  /** The publish's frame rate as the ingest measured it. */
  frameRate: number | null;
  /** How long the mode held with one FFmpeg run, from when the health first said it (s). */
  heldS: number;
}

interface RunResult {
  legs: LegResult[];
  /** Bare FFmpeg's full ladder of each camera quality's size. */
  bare: Map<BenchCamera, LadderWindow>;
}

/** Goes live from the studio with H.264 (simulcast: three layers of the camera) at the leg's camera quality and waits until playable. */
async function goLive(run: BrowserRun, leg: StudioLeg): Promise<{ studio: Page; livestreamId: string }> {
  const livestream = await run.server.createLivestream('bench studio');
  const studio = await openStudio(run, livestream);
  await studio.locator('#camera-size').selectOption(leg.camera);
  await studio.locator('#codec').selectOption('h264');
  if (leg.simulcast) await studio.locator('#simulcast').check();
  await studio.waitForFunction(() => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Go live' && !b.disabled), undefined, { timeout: 15_000 });
  await studio.getByRole('button', { name: 'Go live' }).click();
  await waitUntilPlayable(`${run.server.baseUrl}/live/${livestream.id}/master.m3u8`, GO_LIVE_TIMEOUT_MS).catch((err: Error) => {
    throw new Error(`${err.message}\n${run.server.logTail()}`);
  });
  return { studio, livestreamId: livestream.id };
}

async function healthOf(server: AxonServer, livestreamId: string): Promise<IngestHealth | undefined> {
  const answer = await server.request(`/api/livestreams/${livestreamId}`, { headers: { authorization: `Bearer ${server.apiToken}` } });
  return (JSON.parse(answer.body) as { health?: IngestHealth }).health;
}

/** Waits until the broadcast's top rung is in `mode`; fails saying which mode it is in and why. */
async function waitForMode(server: AxonServer, livestreamId: string, mode: TopRungMode): Promise<IngestHealth> {
  let last: IngestHealth | undefined;
  const started = Date.now();
  const seen: string[] = [];
  return waitFor(`top rung mode ${mode}`, async () => {
    last = await healthOf(server, livestreamId);
    const now = `${last?.topRung?.mode ?? 'no mode'}: ${last?.topRung?.reason.replace(/\d+ s\)?$/, '') ?? ''}`;
    if (seen.at(-1)?.endsWith(now) !== true) seen.push(`+${((Date.now() - started) / 1000).toFixed(1)} s ${now}`);
    return last?.topRung?.mode === mode ? last : undefined;
  }, MODE_TIMEOUT_MS).catch(() => {
    throw new ModeLost(`the top rung is not in ${mode} mode: ${last?.topRung?.mode ?? 'no mode'} (${last?.topRung?.reason ?? ''}); seen: ${seen.join(' | ')}${modeChanges(server)}`);
  });
}

/** One leg on its own server: the studio's publish, in the leg's mode, and one window of Axon's tree (Chromium is outside it). */
async function measureStudioLeg(run: BrowserRun, leg: StudioLeg, d: Durations): Promise<LegResult> {
  const { livestreamId } = await goLive(run, leg);
  await waitForMode(run.server, livestreamId, leg.mode);
  const entered = Date.now();
  await sleep(d.warmUpS * 1000);
  const health = await waitForMode(run.server, livestreamId, leg.mode);
  // The latest FFmpeg run; a mode change inside the window would show as one more.
  const runs = axonRunDirs(run.server.dataDir, livestreamId).length;
  const runDir = () => {
    const dirs = axonRunDirs(run.server.dataDir, livestreamId);
    if (dirs.length !== runs) throw new ModeLost(`the broadcast changed mode inside the window (${runs} runs before, ${dirs.length} after)${modeChanges(run.server)}`);
    return dirs.sort((a, b) => parseRunDirName(path.basename(a))! - parseRunDirName(path.basename(b))!).at(-1)!;
  };
  const window = await measureLadderWindow(run.server.pid, runDir, d.windowS);
  await sleep(Math.max(0, entered + d.holdS * 1000 - Date.now()));
  runDir();
  await waitForMode(run.server, livestreamId, leg.mode);
  const heldS = (Date.now() - entered) / 1000;
  const master = (await run.server.request(`/live/${livestreamId}/master.m3u8`)).body;
  const rungs = [...master.matchAll(/RESOLUTION=(\d+x\d+)/g)].map((m) => m[1]).join(', ');
  return { window, rungs, frameRate: health.frameRate, heldS };
}

/** One run: each studio leg on a fresh server, then bare FFmpeg once the last server has stopped. */
async function oneRun(browser: Browser, index: number, studioLegs: StudioLeg[], d: Durations, log: (line: string) => void): Promise<RunResult> {
  const legs: LegResult[] = [];
  for (const leg of studioLegs) {
    const target = { start: () => startAxonServer({ env: { AXON_TOP_RUNG: leg.topRung } }) };
    let r: LegResult | undefined;
    for (let attempt = 1; !r; attempt++) {
      try {
        r = await runAgainstFreshServer(browser, index, (run) => measureStudioLeg(run, leg, d), target);
      } catch (err) {
        if (!(err instanceof ModeLost) || attempt === LEG_ATTEMPTS) throw err;
        log(`run ${index}: ${leg.name}, try ${attempt} of ${LEG_ATTEMPTS}, measured again on a fresh server: ${err.message}`);
      }
    }
    const w = r.window;
    log(`run ${index}: ${leg.camera} ${leg.name} (${r.rungs} at ${r.frameRate?.toFixed(1) ?? '?'} fps, held ${r.heldS.toFixed(0)} s with one FFmpeg run): ${w.totalCpuSPerMin.toFixed(2)} CPU-s/min (FFmpeg ${w.ffmpegCpuSPerMin.toFixed(2)}, Node ${w.nodeCpuSPerMin.toFixed(2)}, mediasoup ${w.mediasoupCpuSPerMin.toFixed(2)}), speed ${w.speed.toFixed(3)}`);
    legs.push(r);
  }
  const bare = new Map<BenchCamera, LadderWindow>();
  for (const camera of new Set(studioLegs.map((leg) => leg.camera))) {
    const source = SOURCES[camera];
    const window = await measureBareLadder(await testStreamFile(d.inputS, source), d, false, source);
    log(`run ${index}: bare FFmpeg, ${camera} ladder: ${window.totalCpuSPerMin.toFixed(1)} CPU-s/min, speed ${window.speed.toFixed(3)}`);
    bare.set(camera, window);
  }
  return { legs, bare };
}

/** The figures of one leg: the whole tree against bare FFmpeg (with its target), its parts, its speed. */
function legFigures(leg: StudioLeg, windows: LadderWindow[], bare: LadderWindow[]): Figure[] {
  const bareCpu = { name: `bare FFmpeg, full ${leg.camera} ladder`, values: bare.map((w) => w.totalCpuSPerMin) };
  const { cpuTarget } = leg;
  return [
    {
      metric: `${leg.camera}30 studio, ${leg.name} (${leg.mode} mode): CPU per minute of input, Node + mediasoup + FFmpeg (CPU-s)`,
      values: windows.map((w) => w.totalCpuSPerMin),
      reference: bareCpu,
      ...(cpuTarget === undefined ? {} : { target: { op: '<=' as const, value: cpuTarget, of: 'ratio' as const } }),
    },
    { metric: '… of which FFmpeg (CPU-s)', values: windows.map((w) => w.ffmpegCpuSPerMin), reference: bareCpu },
    { metric: '… of which Node (CPU-s)', values: windows.map((w) => w.nodeCpuSPerMin) },
    { metric: '… of which the mediasoup worker (CPU-s)', values: windows.map((w) => w.mediasoupCpuSPerMin) },
    {
      metric: `${leg.camera} ${leg.mode} mode speed (× real time)`,
      values: windows.map((w) => w.speed),
      reference: { name: 'bare FFmpeg', values: bare.map((w) => w.speed) },
      target: { op: '>=', value: 0.99 },
    },
  ];
}

/**
 * Issue 21: a 720p30 studio publish in each of the browser studio's modes, beside bare FFmpeg encoding the
 * full 720p ladder in the same run: three H.264 simulcast layers packaged as the rungs (layers mode: no video
 * decoded or encoded), one H.264 stream whose top rung is copied (AXON_TOP_RUNG=auto) and, as a second
 * reference, the same stream with the whole ladder encoded (AXON_TOP_RUNG=encode); full runs add the layers
 * and the copy from the studio's 1080p camera quality, beside bare FFmpeg's 1080p ladder. What Axon's
 * processes cost per minute of input (Node, mediasoup worker, FFmpeg), and whether it keeps real time. Copied
 * rungs are the browser's own encodes, bit for bit: their quality is the browser's choice (bench/README.md).
 */
export const simulcastLadder: Benchmark = {
  name: 'simulcast-ladder',
  title: 'The browser studio: CPU and real time of a 720p30 (and 1080p30) publish in layers, copy and encode modes, vs bare FFmpeg encoding the full ladder',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const studioLegs = quick ? [LAYERS, COPY, ENCODE] : [LAYERS, COPY, ENCODE, ...FULL_HD];
    const results = await withChromium(async (browser) => {
      const out: RunResult[] = [];
      for (let i = 1; i <= runs; i++) out.push(await oneRun(browser, i, studioLegs, d, log));
      return out;
    }, CAMERA_30_FPS);
    return studioLegs.flatMap((leg, i) =>
      legFigures(
        leg,
        results.map((r) => r.legs[i]!.window),
        results.map((r) => r.bare.get(leg.camera)!),
      ),
    );
  },
};
