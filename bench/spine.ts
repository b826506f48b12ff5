import type { Page } from 'playwright-core';
import { SEGMENT_DURATION_S } from '../shared/constants.js';
import type { AxonServer } from './lib/axon-server.js';
import { MB, sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { runInChromium, type BrowserRun } from './lib/browser.js';
import type { ProcessSample } from './lib/process-tree.js';
import { goLiveFromStudio, openHlsViewer, sampleHlsLatency } from './lib/studio-broadcast.js';
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

/** The server's tree: Node and its mediasoup workers are "server"; the broadcast's transcoder is "ffmpeg". */
const classify = (p: ProcessSample) => (p.comm === 'ffmpeg' ? 'ffmpeg' : 'server');

interface RunResult {
  goLiveS: number;
  firstPartS: number;
  latencyS: number;
  serverCores: number;
  ffmpegCores: number;
  serverIdleMb: number;
  ffmpegIdleMb: number;
  serverLiveMb: number;
  ffmpegLiveMb: number;
}

/** The measured window: latency from the viewer, CPU and peak memory from the server's process tree. */
async function measureBroadcast(server: AxonServer, viewer: Page, d: Durations) {
  const meter = await TreeMeter.start(server.pid, classify, 1000);
  let latencyS: number;
  try {
    latencyS = await sampleHlsLatency(viewer, d.measureS);
  } catch (err) {
    await meter.stop();
    throw err;
  }
  const { groups } = await meter.stop();
  if (!groups.ffmpeg || !groups.server) throw new Error('no FFmpeg ran under the server during the broadcast');
  return { latencyS, server: groups.server, ffmpeg: groups.ffmpeg };
}

async function oneRun(run: BrowserRun, index: number, d: Durations, log: (line: string) => void): Promise<RunResult> {
  const { server } = run;
  await sleep(d.idleSettleS * 1000);
  const idle = await rssByGroup(server.pid, classify);
  const livestream = await server.createLivestream(`bench spine ${index}`);

  const { studio, goLiveS, firstPartS } = await goLiveFromStudio(run, livestream);
  log(`run ${index}: first part ${firstPartS.toFixed(2)} s, first segment ${goLiveS.toFixed(2)} s after "Go live"`);

  const viewer = await openHlsViewer(run, livestream.id);
  await sleep(d.warmUpS * 1000);
  const { latencyS, server: srv, ffmpeg } = await measureBroadcast(server, viewer, d);
  log(`run ${index}: latency ${latencyS.toFixed(2)} s, CPU server ${srv.cores.toFixed(2)} + FFmpeg ${ffmpeg.cores.toFixed(2)} cores`);

  await studio.getByRole('button', { name: 'End stream' }).click();
  return {
    goLiveS,
    firstPartS,
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
      {
        metric: 'go-live: "Go live" click → first playable part, LL-HLS (s)',
        values: values((r) => r.firstPartS),
        target: { op: '<=', value: 1.5 },
        reference: { name: 'first playable segment, standard HLS', values: values((r) => r.goLiveS) },
      },
      { metric: 'go-live time: first playable segment, standard HLS (s)', values: values((r) => r.goLiveS), target: { op: '<=', value: 3 } },
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
