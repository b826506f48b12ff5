import { startAxonServer } from './lib/axon-server.js';
import { axonDefaultLadder } from './lib/bare-ladder.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { measureAxonLadder, measureBareLadder } from './lib/ladder-legs.js';
import { classifyLadderTree, cpuSPerMinute, type LadderWindow } from './lib/ladder-window.js';
import { testStreamFile } from './lib/test-stream.js';
import { TreeMeter } from './lib/tree-meter.js';

interface Durations {
  /** Length of the recording published: longer than everything below, so it never ends inside a window. */
  inputS: number;
  /** After the stream is playable (every rendition has a segment), before measuring. */
  warmUpS: number;
  windowS: number;
  /** Axon's server alone, before the publish: what its Node process spends with nothing to do. */
  idleS: number;
}

const FULL: Durations = { inputS: 120, warmUpS: 5, windowS: 60, idleS: 15 };
const QUICK: Durations = { inputS: 20, warmUpS: 2, windowS: 6, idleS: 2 };
/** After /healthz first answers, before the idle window: start-up work (JIT, workers) settles. */
const IDLE_SETTLE_S = 3;

/** One measured window of one ladder; Axon's also with its Node process's CPU-s per minute before the publish. */
type LegResult = LadderWindow & { idleNodeCpuSPerMin?: number };

/** Axon: a fresh server, its idle Node process measured, then the recording published over RTMP; every process of the server counts. */
async function axonLeg(input: string, d: Durations): Promise<LegResult> {
  // Every rung encoded, as the bare command does: the comparison is what Axon adds around the same work (ladder-modes compares the modes).
  const server = await startAxonServer({ env: { AXON_TOP_RUNG: 'encode' } });
  try {
    await sleep(IDLE_SETTLE_S * 1000);
    const idle = await TreeMeter.start(server.pid, classifyLadderTree);
    await sleep(d.idleS * 1000);
    const idleNodeCpuSPerMin = cpuSPerMinute(await idle.stop(), 'node');
    const { window } = await measureAxonLadder(server, input, d, async () => undefined);
    return { ...window, idleNodeCpuSPerMin };
  } finally {
    await server.stop();
  }
}

const describeLeg = (r: LegResult) => `${r.totalCpuSPerMin.toFixed(1)} CPU-s/min (FFmpeg ${r.ffmpegCpuSPerMin.toFixed(1)}), speed ${r.speed.toFixed(3)}`;

/**
 * Issues 4 and 8 (1): what Axon's whole process tree spends to turn a 720p30 RTMP input into the default
 * ladder, against Axon's own FFmpeg command run bare on the same input; and what passing the source's
 * H.264 through as the top rung would save.
 */
export const transcode: Benchmark = {
  name: 'transcode',
  title: 'RTMP 720p30 ladder: CPU of Axon vs bare FFmpeg, top-rung passthrough',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const input = await testStreamFile(d.inputS);
    const axon: LegResult[] = [];
    const bare: LegResult[] = [];
    const passthrough: LegResult[] = [];
    // Interleaved (A B C, A B C, ...): slow drift of the machine's load hits every side alike.
    for (let i = 1; i <= runs; i++) {
      axon.push(await axonLeg(input, d));
      log(`run ${i}: Axon ${describeLeg(axon.at(-1)!)}`);
      bare.push(await measureBareLadder(input, d, false));
      log(`run ${i}: bare FFmpeg ${describeLeg(bare.at(-1)!)}`);
      passthrough.push(await measureBareLadder(input, d, true));
      log(`run ${i}: bare FFmpeg, top rung copied: ${describeLeg(passthrough.at(-1)!)}`);
    }
    const cpu = (results: LegResult[]) => results.map((r) => r.totalCpuSPerMin);
    const bareRef = { name: 'bare FFmpeg', values: cpu(bare) };
    const rungs = axonDefaultLadder().ladder.rungs.map((r) => r.name).join('/');
    return [
      {
        metric: `CPU per minute of input, ladder ${rungs}: Axon, all processes (CPU-s)`,
        values: cpu(axon),
        reference: bareRef,
        target: { op: '<=', value: 1.05, of: 'ratio' },
      },
      { metric: "… of which Axon's FFmpeg (CPU-s)", values: axon.map((r) => r.ffmpegCpuSPerMin), reference: bareRef },
      { metric: "… of which Axon's Node process (CPU-s)", values: axon.map((r) => r.nodeCpuSPerMin) },
      { metric: "… of which Axon's idle mediasoup workers (CPU-s)", values: axon.map((r) => r.mediasoupCpuSPerMin) },
      { metric: "Axon's Node process before the publish, idle (CPU-s per minute)", values: axon.map((r) => r.idleNodeCpuSPerMin!) },
      { metric: 'bare FFmpeg with the 720p rung copied, not encoded (CPU-s)', values: cpu(passthrough), reference: bareRef },
      {
        metric: 'ladder speed during the window (× real time)',
        values: axon.map((r) => r.speed),
        reference: { name: 'bare FFmpeg', values: bare.map((r) => r.speed) },
      },
    ];
  },
};
