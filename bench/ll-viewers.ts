import { startAxonServer } from './lib/axon-server.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { variantUris, waitUntilPlayable } from './lib/hls.js';
import { publishRtmp } from './lib/rtmp-publisher.js';
import { type CountRequest, followLowLatency, followStandard } from './lib/simulated-viewers.js';
import { testStreamFile } from './lib/test-stream.js';
import { TreeMeter } from './lib/tree-meter.js';
import { AUDIO_PLAYLIST } from '../server/src/media/media-layout.js';
import { SEGMENT_DURATION_S } from '../shared/constants.js';

const GO_LIVE_TIMEOUT_MS = 30_000;
/** Viewers start spread over this long, as real audiences do, then the window begins. */
const RAMP_S = 2;

/** Simulated viewers of each kind, the seconds each kind is measured per run, and the test stream's length. */
type Load = Record<'viewers' | 'windowS' | 'inputS', number>;
const FULL: Load = { viewers: 200, windowS: 20, inputS: 240 };
const QUICK: Load = { viewers: 20, windowS: 4, inputS: 40 };

type Kind = 'LL-HLS' | 'standard HLS';

interface Phase {
  requestsPerS: number;
  failures: number;
  serverCores: number;
}

/** `viewers` players of one kind, each following the top rung and the audio, for `windowS`; what the origin served meanwhile. */
async function measure(kind: Kind, playlists: string[], serverPid: number, load: Load): Promise<Phase> {
  let stopped = false;
  // Counted only inside the window: not while the audience ramps up, nor while it leaves.
  let counting = false;
  const counts = { requests: 0, failures: 0 };
  const tally: CountRequest = (outcome) => {
    if (!counting) return;
    counts.requests++;
    if (outcome === 'failed') counts.failures++;
  };
  const viewers = Array.from({ length: load.viewers }, async (_, i) => {
    await sleep((RAMP_S * 1000 * i) / load.viewers);
    await Promise.all(
      playlists.map((url) =>
        kind === 'LL-HLS' ? followLowLatency(url, () => stopped, tally) : followStandard(url, SEGMENT_DURATION_S, () => stopped, tally),
      ),
    );
  });
  await sleep(RAMP_S * 1000);
  const meter = await TreeMeter.start(serverPid, (p) => (p.pid === serverPid ? 'server' : 'children'));
  counting = true;
  const startedMs = performance.now();
  await sleep(load.windowS * 1000);
  // Before the meter's last sample, which waits its turn behind the viewers' work on this event loop.
  counting = false;
  const elapsedS = (performance.now() - startedMs) / 1000;
  const usage = await meter.stop();
  stopped = true;
  await Promise.all(viewers);
  const requestsPerS = counts.requests / elapsedS;
  const { failures } = counts;
  return { requestsPerS, failures, serverCores: usage.groups.server?.cores ?? 0 };
}

/** Issue 18: what LL-HLS viewers cost the origin (requests, CPU) beside as many standard HLS viewers, of one live broadcast. */
export const llViewers: Benchmark = {
  name: 'll-viewers',
  title: 'LL-HLS viewers beside standard HLS viewers: requests and CPU at the origin',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const load = quick ? QUICK : FULL;
    const input = await testStreamFile(load.inputS);
    const results: Array<Record<Kind, Phase>> = [];
    for (let i = 1; i <= runs; i++) {
      const server = await startAxonServer();
      const livestream = await server.createLivestream(`bench ll viewers ${i}`);
      const publisher = publishRtmp(input, [`${livestream.rtmpUrl}/${livestream.streamKey}`]);
      try {
        const masterUrl = `${server.baseUrl}/live/${livestream.id}/master.m3u8`;
        await waitUntilPlayable(masterUrl, GO_LIVE_TIMEOUT_MS, { marker: '#EXT-X-PART:' });
        const top = variantUris(await (await fetch(masterUrl)).text())[0]!;
        const playlists = [new URL(top, masterUrl).href, new URL(AUDIO_PLAYLIST, masterUrl).href];
        // The order alternates run by run, so a drift of the machine's speed does not favour one kind.
        const order: Kind[] = i % 2 === 1 ? ['LL-HLS', 'standard HLS'] : ['standard HLS', 'LL-HLS'];
        const run = {} as Record<Kind, Phase>;
        for (const kind of order) run[kind] = await measure(kind, playlists, server.pid, load);
        if (publisher.process.hasExited) throw new Error(`the publisher ended inside the window: ${publisher.process.errors()}`);
        log(
          `run ${i}: ${order
            .map((k) => `${k} ${run[k].requestsPerS.toFixed(0)} req/s, server ${run[k].serverCores.toFixed(2)} cores, ${run[k].failures} failed`)
            .join('; ')}`,
        );
        results.push(run);
      } finally {
        await publisher.stop();
        await server.stop();
      }
    }
    const values = (kind: Kind, pick: (p: Phase) => number) => results.map((r) => pick(r[kind]));
    const v = load.viewers;
    return [
      {
        metric: `origin requests/s, ${v} LL-HLS viewers (top rung and audio)`,
        values: values('LL-HLS', (p) => p.requestsPerS),
        reference: { name: `${v} standard HLS viewers`, values: values('standard HLS', (p) => p.requestsPerS) },
      },
      {
        metric: `Axon server CPU, ${v} LL-HLS viewers (cores)`,
        values: values('LL-HLS', (p) => p.serverCores),
        reference: { name: `${v} standard HLS viewers`, values: values('standard HLS', (p) => p.serverCores) },
      },
      { metric: 'failed LL-HLS viewer requests in the window', values: values('LL-HLS', (p) => p.failures), target: { op: '<=', value: 0 } },
    ];
  },
};
