import path from 'node:path';
import { freeTcpPort, startAxonServer } from './lib/axon-server.js';
import { type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { snapshotBroadcast, waitForIdle } from './lib/broadcast-snapshot.js';
import { readEdgeConfig } from './lib/edge-config.js';
import { startNginx, type Nginx } from './lib/nginx.js';
import { testStreamFile } from './lib/test-stream.js';
import { combineSlices, runWrk, type WrkResult } from './lib/wrk.js';

interface Load {
  /** Simulated viewers: one wrk connection each. */
  viewers: number;
  /** Seconds each server is measured per run and mode. */
  durationS: number;
  /** Without pause, durationS is measured in this many slices, the servers taking turns. */
  slices: number;
  /** Segments of the top rung the snapshot broadcast runs to. */
  segments: number;
  inputS: number;
}

const FULL: Load = { viewers: 200, durationS: 10, slices: 5, segments: 5, inputS: 120 };
const QUICK: Load = { viewers: 50, durationS: 3, slices: 3, segments: 3, inputS: 20 };
/** A viewer's player fetches its media playlist, the audio playlist and the newest segment of each every 2 s: 4 requests, one per 500 ms. */
const PACED_DELAY_MS = 500;
const WRK_THREADS = 2;

const PLAYLIST_CACHE = 'public, max-age=1';
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';

/** nginx serving the media directory itself, with the headers Axon's origin sends. */
function staticNginxHttp(port: number, mediaDir: string): string {
  const cors = `add_header Access-Control-Allow-Origin * always;
        add_header Access-Control-Expose-Headers "Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified" always;`;
  return `  types { application/vnd.apple.mpegurl m3u8; application/dash+xml mpd; video/iso.segment m4s; video/mp4 mp4; }
  server {
    listen 127.0.0.1:${port};
    location /live/ {
      alias ${mediaDir}/;
      location ~ \\.(m3u8|mpd)$ { add_header Cache-Control "${PLAYLIST_CACHE}"; ${cors} }
      location ~ /init-[^/]*\\.m4s$ { types { } default_type video/mp4; add_header Cache-Control "${SEGMENT_CACHE}"; ${cors} }
      location ~ \\.m4s$ { add_header Cache-Control "${SEGMENT_CACHE}"; ${cors} }
    }
  }`;
}

interface Target {
  name: string;
  baseUrl: string;
}

/** The edge keeps segments (immutable) once fetched: asked again, it answers from its cache. */
async function checkEdgeCaches(edge: Target, paths: string[]): Promise<void> {
  for (const path of paths.filter((p) => p.endsWith('.m4s'))) {
    const r = await fetch(`${edge.baseUrl}${path}`);
    await r.arrayBuffer();
    const status = r.headers.get('x-cache-status');
    if (status !== 'HIT') throw new Error(`the edge cache answered ${path} a second time with X-Cache-Status ${status}, not HIT`);
  }
}

/** Every target answers the viewers' requests alike (status and caching headers) before any is measured. */
async function checkTargets(targets: Target[], paths: string[]): Promise<void> {
  for (const path of paths) {
    const answers = await Promise.all(
      targets.map(async (t) => {
        const r = await fetch(`${t.baseUrl}${path}`);
        await r.arrayBuffer();
        return `${r.status} ${r.headers.get('content-type')} ${r.headers.get('cache-control')} ${r.headers.get('access-control-allow-origin')}`;
      }),
    );
    if (new Set(answers).size !== 1 || !answers[0]!.startsWith('200 ')) {
      throw new Error(`the servers answer ${path} differently:\n${targets.map((t, i) => `  ${t.name}: ${answers[i]}`).join('\n')}`);
    }
  }
}

type Mode = 'saturated' | 'paced';

/** The targets starting with the k-th (mod their number). */
const rotate = <T>(items: readonly T[], k: number): T[] => items.map((_, j) => items[(j + k) % items.length]!);


interface RunResult {
  /** By target name, then mode. */
  [target: string]: Record<Mode, WrkResult>;
}

/** Issue 8 (2): the HLS request pattern of N viewers against Axon's origin, nginx alone, and nginx caching in front of Axon. */
export const origin: Benchmark = {
  name: 'origin',
  title: 'Origin fan-out: HLS viewers against Axon, nginx alone, nginx edge cache in front of Axon',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const load = quick ? QUICK : FULL;
    const input = await testStreamFile(load.inputS);
    const server = await startAxonServer({ env: { AXON_RECONNECT_WINDOW_S: '0' } });
    const nginxes: Nginx[] = [];
    const results: RunResult[] = [];
    try {
      const viewerPaths = await snapshotBroadcast(server, input, load.segments);
      await waitForIdle(server);
      const paths = viewerPaths.flat();
      const staticPort = await freeTcpPort();
      const edgePort = await freeTcpPort();
      const mediaDir = path.join(server.dataDir, 'media');
      nginxes.push(await startNginx({ workers: 'auto', http: () => staticNginxHttp(staticPort, mediaDir), ports: [staticPort] }));
      nginxes.push(
        await startNginx({
          workers: 'auto',
          http: (prefix) => readEdgeConfig({ cacheDir: path.join(prefix, 'cache'), origin: new URL(server.baseUrl).host, listen: `127.0.0.1:${edgePort}` }),
          ports: [edgePort],
        }),
      );
      const targets: Target[] = [
        { name: 'nginx', baseUrl: `http://127.0.0.1:${staticPort}` },
        { name: 'axon', baseUrl: server.baseUrl },
        { name: 'edge', baseUrl: `http://127.0.0.1:${edgePort}` },
      ];
      await checkTargets(targets, paths);
      await checkEdgeCaches(targets[2]!, paths);
      log(`${load.viewers} viewers over ${viewerPaths.length} renditions; each cycles ${paths.length / viewerPaths.length} requests`);
      const wrk = (t: Target, mode: Mode, durationS: number) =>
        runWrk({
          baseUrl: t.baseUrl,
          paths,
          connections: load.viewers,
          threads: WRK_THREADS,
          durationS,
          delayMs: mode === 'paced' ? PACED_DELAY_MS : 0,
        });
      const checked = async (t: Target, mode: Mode, durationS: number) => {
        const r = await wrk(t, mode, durationS);
        if (r.socketErrors > 0 || r.badStatus > 0) throw new Error(`${t.name}: ${r.socketErrors} socket errors, ${r.badStatus} bad statuses`);
        return r;
      };
      // Files in the page cache, connections and caches warm, JIT compiled: the runs measure a steady state.
      for (const t of targets) await wrk(t, 'saturated', quick ? 1 : 3);
      const sliceS = load.durationS / load.slices;
      for (let i = 1; i <= runs; i++) {
        const slices = new Map<string, WrkResult[]>(targets.map((t) => [t.name, []]));
        // The machine's speed drifts by tens of percent from one second to the next (other virtual machines
        // on the host): short slices, the servers taking turns in an order that rotates, share the drift out.
        for (let k = 0; k < load.slices; k++) {
          for (const t of rotate(targets, i + k)) slices.get(t.name)!.push(await checked(t, 'saturated', sliceS));
        }
        const run: RunResult = {};
        for (const t of rotate(targets, i)) {
          const saturated = combineSlices(slices.get(t.name)!);
          const paced = await checked(t, 'paced', load.durationS);
          run[t.name] = { saturated, paced };
          log(
            `run ${i}: ${t.name}: ${saturated.requestsPerS.toFixed(0)} req/s (${(saturated.bytesPerS / 2 ** 20).toFixed(0)} MiB/s), ` +
              `p99 ${saturated.latencyP99Ms.toFixed(1)} ms; paced: ${paced.requestsPerS.toFixed(0)} req/s, p99 ${paced.latencyP99Ms.toFixed(1)} ms`,
          );
        }
        results.push(run);
      }
    } finally {
      for (const n of nginxes.reverse()) await n.stop();
      await server.stop();
    }
    const values = (target: string, mode: Mode, pick: (r: WrkResult) => number) => results.map((run) => pick(run[target]![mode]));
    const nginxRps = { name: 'nginx alone', values: values('nginx', 'saturated', (r) => r.requestsPerS) };
    const nginxP99 = (mode: Mode) => ({ name: 'nginx alone', values: values('nginx', mode, (r) => r.latencyP99Ms) });
    const v = load.viewers;
    return [
      {
        metric: `requests/s, ${v} viewers without pause: Axon origin`,
        values: values('axon', 'saturated', (r) => r.requestsPerS),
        reference: nginxRps,
        target: { op: '>=', value: 0.5, of: 'ratio' },
      },
      {
        metric: `requests/s, ${v} viewers without pause: nginx edge cache → Axon`,
        values: values('edge', 'saturated', (r) => r.requestsPerS),
        reference: nginxRps,
        target: { op: '>=', value: 0.95, of: 'ratio' },
      },
      { metric: 'p99 latency, without pause: Axon origin (ms)', values: values('axon', 'saturated', (r) => r.latencyP99Ms), reference: nginxP99('saturated') },
      { metric: 'p99 latency, without pause: nginx edge cache → Axon (ms)', values: values('edge', 'saturated', (r) => r.latencyP99Ms), reference: nginxP99('saturated') },
      { metric: `p99 latency, ${v} viewers at a player's pace: Axon origin (ms)`, values: values('axon', 'paced', (r) => r.latencyP99Ms), reference: nginxP99('paced') },
      {
        metric: `p99 latency, ${v} viewers at a player's pace: nginx edge cache → Axon (ms)`,
        values: values('edge', 'paced', (r) => r.latencyP99Ms),
        reference: nginxP99('paced'),
      },
    ];
  },
};
