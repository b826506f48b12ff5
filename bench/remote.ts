import path from 'node:path';
import type { Page } from 'playwright-core';
import { createTestCa } from '../e2e/fixtures/test-ca.js';
import { createServerHost, hostSupport } from '../e2e/fixtures/test-hosts.js';
import { startAxonServer } from './lib/axon-server.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { LOOPBACK, runAgainstFreshServer, withChromium, type BrowserRun, type ServerTarget } from './lib/browser.js';
import { goLiveFromStudio, openHlsViewer, sampleHlsLatency } from './lib/studio-broadcast.js';

interface Durations {
  /** After the viewer starts playing, before measuring: hls.js reaches its steady distance from live. */
  warmUpS: number;
  measureS: number;
}

const FULL: Durations = { warmUpS: 6, measureS: 20 };
// Longer than a low-latency player's first catch-up to the live edge, which can rebuffer once as it joins
// (a 2 s warm-up once saw 2.6 s played of a 4 s window on a machine busy with the rest of the suite).
const QUICK: Durations = { warmUpS: 6, measureS: 4 };

interface RunResult {
  goLiveS: number;
  latencyS: number;
}

/** The HTTP version (resource timing's nextHopProtocol) the viewer's page fetched its playlists with. */
const playlistProtocols = (viewer: Page) =>
  viewer.evaluate(() => [
    ...new Set(
      performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('.m3u8'))
        .map((e) => (e as PerformanceResourceTiming).nextHopProtocol),
    ),
  ]);

async function oneRun(run: BrowserRun, label: string, expectedProtocol: string, d: Durations, log: (line: string) => void): Promise<RunResult> {
  const livestream = await run.server.createLivestream(`bench remote ${label}`);
  const { studio, goLiveS } = await goLiveFromStudio(run, livestream);
  const viewer = await openHlsViewer(run, livestream.id);
  await sleep(d.warmUpS * 1000);
  const latencyS = await sampleHlsLatency(viewer, d.measureS);
  // What is compared must be what is claimed: HTTP/2 over TLS on one side, HTTP/1.1 on loopback on the other.
  const protocols = await playlistProtocols(viewer);
  if (protocols.join() !== expectedProtocol) throw new Error(`${label}: the viewer fetched playlists over ${protocols.join(', ') || 'nothing'}, not ${expectedProtocol}`);
  log(`${label}: playable ${goLiveS.toFixed(2)} s after "Go live", latency ${latencyS.toFixed(2)} s (${expectedProtocol})`);
  await studio.getByRole('button', { name: 'End stream' }).click();
  return { goLiveS, latencyS };
}

/**
 * Issue 13: the studio and its viewer on the user's host, Axon on another (a network namespace behind a veth
 * pair) over HTTPS with HTTP/2, beside the same broadcast on loopback over plain HTTP. The two alternate run
 * by run, the order switching each time, so whatever else the machine does falls on both alike.
 */
export const remote: Benchmark = {
  name: 'remote',
  title: 'Studio on another host over HTTPS (HTTP/2) beside loopback HTTP: go-live and HLS latency',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const support = hostSupport();
    if (!support.ok) throw new Error(`this benchmark puts Axon on another host: ${support.reason}`);
    const d = quick ? QUICK : FULL;
    const ca = await createTestCa();
    const host = await createServerHost().catch((err: unknown) => {
      ca.close();
      throw err;
    });
    try {
      const tls = { certPath: path.join(ca.dir, 'server.pem'), keyPath: path.join(ca.dir, 'server.key'), caPem: ca.caCertPem };
      await ca.issue({ ip: host.serverIp, ...tls });
      const targets: Record<'loopback' | 'remote', { target: ServerTarget; protocol: string }> = {
        loopback: { target: LOOPBACK, protocol: 'http/1.1' },
        remote: { target: { start: () => startAxonServer({ host, tls }), contextOptions: { ignoreHTTPSErrors: true } }, protocol: 'h2' },
      };
      const results: Record<keyof typeof targets, RunResult[]> = { loopback: [], remote: [] };
      await withChromium(async (browser) => {
        for (let i = 1; i <= runs; i++) {
          const order = i % 2 === 1 ? (['remote', 'loopback'] as const) : (['loopback', 'remote'] as const);
          for (const kind of order) {
            const { target, protocol } = targets[kind];
            results[kind].push(await runAgainstFreshServer(browser, i, (run) => oneRun(run, `run ${i} ${kind}`, protocol, d, log), target));
          }
        }
      });
      const pair = (metric: string, pick: (r: RunResult) => number): Figure => ({
        metric,
        values: results.remote.map(pick),
        reference: { name: 'loopback HTTP', values: results.loopback.map(pick) },
        target: { op: '<=', value: 1.1, of: 'ratio' },
      });
      return [
        pair('go-live time, studio on another host over HTTPS/HTTP/2 (s)', (r) => r.goLiveS),
        pair('HLS viewer latency on another host over HTTPS/HTTP/2 (s)', (r) => r.latencyS),
      ];
    } finally {
      await host.close();
      ca.close();
    }
  },
};
