import { SEGMENT_DURATION_S } from '../shared/constants.js';
import type { Livestream } from '../shared/livestream.js';
import { startAxonServer } from './lib/axon-server.js';
import { axonDefaultLadder, renditionCount, startBareLadder, type BareLadder } from './lib/bare-ladder.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { axonRunDir, segmentCompletions, speedOf, waitForFirstSegments } from './lib/ffmpeg-run-dir.js';
import { waitUntilPlayable } from './lib/hls.js';
import { publishRtmp, type RtmpPublisher } from './lib/rtmp-publisher.js';
import { testStreamFile } from './lib/test-stream.js';

interface Durations {
  inputS: number;
  warmUpS: number;
  windowS: number;
  /** Windows measured at most while a ladder is still catching up on a backlog. */
  maxWindows: number;
  /** Most ladders tried at once. */
  maxLadders: number;
}

const FULL: Durations = { inputS: 120, warmUpS: 5, windowS: 20, maxWindows: 3, maxLadders: 8 };
const QUICK: Durations = { inputS: 20, warmUpS: 1, windowS: 6, maxWindows: 1, maxLadders: 1 };
/** Speeds within [REAL_TIME, CATCHING_UP] are real time: 1.0 give or take the method's resolution. */
export const REAL_TIME = 0.99;
/**
 * The input comes in at real time, so a ladder can only be faster while it works off a backlog: it was
 * behind, and is not at the live edge yet.
 */
export const CATCHING_UP = 1.02;
const START_TIMEOUT_MS = 60_000;

type Side = 'axon' | 'bare';

/** The ladders' speeds over the last window, for each count tried. */
type Ramp = Map<number, number[]>;

/** N ladders are at real time when none is below real time and none is still catching up. */
export function atRealTime(speeds: readonly number[]): boolean {
  return speeds.length > 0 && Math.min(...speeds) >= REAL_TIME && Math.max(...speeds) <= CATCHING_UP;
}

/**
 * The speed of every ladder over a window, from its top rung's segments (bench/lib/ffmpeg-run-dir.ts).
 * A ladder too slow to complete three segments in the window gets the speed those it completed stand for.
 */
async function windowSpeeds(runDirs: () => string[], windowS: number): Promise<number[]> {
  const fromMs = Date.now();
  await sleep(windowS * 1000);
  const toMs = Date.now();
  return Promise.all(
    runDirs().map(async (dir) => {
      const completions = await segmentCompletions(dir);
      const inWindow = completions.filter((c) => c.atMs >= fromMs && c.atMs <= toMs).length;
      return inWindow >= 3 ? speedOf(completions, fromMs, toMs) : (inWindow * SEGMENT_DURATION_S) / windowS;
    }),
  );
}

/**
 * Windows one after the other until no ladder is catching up any more (ladders started together may
 * fall behind while starting), at most d.maxWindows; the last window's speeds.
 */
async function settledSpeeds(runDirs: () => string[], d: Durations): Promise<number[]> {
  let speeds: number[] = [];
  for (let w = 0; w < d.maxWindows && (w === 0 || Math.max(...speeds) > CATCHING_UP); w++) speeds = await windowSpeeds(runDirs, d.windowS);
  return speeds;
}

/** `count` RTMP publishes of the recording into one fresh Axon server, all started together. */
async function axonTrial(input: string, count: number, d: Durations): Promise<number[]> {
  // This benchmark finds the limit admission control (AXON_MAX_BROADCASTS) is set from: it must not stop it
  // first. Every rung is encoded, as bare FFmpeg does and as every WebRTC source is: the test stream would
  // otherwise have its top rung passed through, which a limit for all sources cannot count on.
  const server = await startAxonServer({ env: { AXON_MAX_BROADCASTS: String(count), AXON_TOP_RUNG: 'encode' } });
  const publishers: RtmpPublisher[] = [];
  try {
    const livestreams: Livestream[] = [];
    for (let i = 0; i < count; i++) livestreams.push(await server.createLivestream(`bench capacity ${i + 1}`));
    for (const ls of livestreams) publishers.push(publishRtmp(input, [`${ls.rtmpUrl}/${ls.streamKey}`]));
    await Promise.all(livestreams.map((ls) => waitUntilPlayable(`${server.baseUrl}/live/${ls.id}/master.m3u8`, START_TIMEOUT_MS))).catch((err: Error) => {
      throw new Error(`${err.message}\n${server.logTail()}`);
    });
    await sleep(d.warmUpS * 1000);
    // axonRunDir throws if an FFmpeg was restarted.
    return await settledSpeeds(() => livestreams.map((ls) => axonRunDir(server.dataDir, ls.id)), d);
  } finally {
    for (const p of publishers) await p.stop();
    await server.stop();
  }
}

/** `count` bare FFmpeg ladders (Axon's command on the recording, `-re`), all started together. */
async function bareTrial(input: string, count: number, d: Durations): Promise<number[]> {
  const ladders: BareLadder[] = [];
  try {
    for (let i = 0; i < count; i++) ladders.push(startBareLadder(input));
    const renditions = renditionCount(axonDefaultLadder().ladder);
    await Promise.all(ladders.map((l) => waitForFirstSegments(l.runDir, renditions, START_TIMEOUT_MS, () => !l.process.hasExited)));
    await sleep(d.warmUpS * 1000);
    return await settledSpeeds(() => ladders.map((l) => l.runDir), d);
  } finally {
    for (const l of ladders) await l.stop();
  }
}

/**
 * One ramp: 1, 2, 3 ... ladders at once, both sides (in the order given) at each count, until both have
 * missed real time once (a side is not tried again after its first miss).
 */
async function ramp(input: string, d: Durations, sides: readonly Side[], log: (line: string) => void): Promise<Record<Side, Ramp>> {
  const out: Record<Side, Ramp> = { axon: new Map(), bare: new Map() };
  const failed: Record<Side, boolean> = { axon: false, bare: false };
  for (let count = 1; count <= d.maxLadders && !(failed.axon && failed.bare); count++) {
    for (const side of sides) {
      if (failed[side]) continue;
      const name = side === 'axon' ? 'Axon' : 'bare FFmpeg';
      let speeds: number[];
      try {
        speeds = side === 'axon' ? await axonTrial(input, count, d) : await bareTrial(input, count, d);
      } catch (err) {
        // One ladder must work; more that do not start in time, or restart, are ladders the machine cannot carry.
        if (count === 1) throw err;
        log(`${count} ladder(s), ${name}: not at real time: ${(err as Error).message.split('\n')[0]}`);
        speeds = [0];
      }
      out[side].set(count, speeds);
      failed[side] = !atRealTime(speeds);
      log(`${count} ladder(s), ${name}: speeds ${speeds.map((s) => s.toFixed(3)).join(' ')}${failed[side] ? ' — not at real time' : ''}`);
    }
  }
  return out;
}

/** The most ladders a ramp kept at real time. */
export function capacityOf(r: Ramp): number {
  let best = 0;
  for (const [count, speeds] of [...r].sort((a, b) => a[0] - b[0])) {
    if (!atRealTime(speeds)) break;
    best = count;
  }
  return best;
}

/** Issue 8 (4): how many simultaneous 720p30 default ladders one machine keeps at real time, Axon vs bare FFmpeg. */
export const capacity: Benchmark = {
  name: 'capacity',
  title: 'Capacity: simultaneous 720p30 ladders at real time, Axon vs bare FFmpeg',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const input = await testStreamFile(d.inputS);
    const ramps: Array<Record<Side, Ramp>> = [];
    for (let i = 1; i <= runs; i++) {
      // Axon first in odd runs, bare FFmpeg first in even ones: load from outside the benchmark does not always fall on the same side.
      const sides: Side[] = i % 2 === 1 ? ['axon', 'bare'] : ['bare', 'axon'];
      ramps.push(await ramp(input, d, sides, (line) => log(`run ${i}: ${line}`)));
    }
    const rungs = axonDefaultLadder().ladder.rungs.map((r) => r.name).join('/');
    const figures: Figure[] = [
      {
        metric: `ladders (${rungs}, ${axonDefaultLadder().x264Preset}) kept at real time: Axon`,
        values: ramps.map((r) => capacityOf(r.axon)),
        reference: { name: 'bare FFmpeg', values: ramps.map((r) => capacityOf(r.bare)) },
      },
    ];
    // The speeds behind it, for every count both sides were tried at in every run.
    for (let count = 1; ramps.every((r) => r.axon.has(count) && r.bare.has(count)); count++) {
      figures.push({
        metric: `slowest ladder's speed with ${count} at once: Axon (× real time)`,
        values: ramps.map((r) => Math.min(...r.axon.get(count)!)),
        reference: { name: 'bare FFmpeg', values: ramps.map((r) => Math.min(...r.bare.get(count)!)) },
      });
    }
    return figures;
  },
};
