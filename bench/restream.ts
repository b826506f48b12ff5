import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RestreamTarget } from '../shared/restream.js';
import { type AxonServer, freeTcpPort, startAxonServer } from './lib/axon-server.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { waitUntilPlayable } from './lib/hls.js';
import { RTMP_MODULE, startNginx, type Nginx } from './lib/nginx.js';
import { startProcess, type OwnedProcess } from './lib/owned-process.js';
import type { ProcessSample } from './lib/process-tree.js';
import { publishRtmp } from './lib/rtmp-publisher.js';
import { TEST_STREAM, testStreamFile } from './lib/test-stream.js';
import { TreeMeter } from './lib/tree-meter.js';

/** Seconds of recorded input, of warm-up once the targets are live, of measuring; and targets per broadcast. */
type Durations = Record<'inputS' | 'warmUpS' | 'windowS' | 'targets', number>;
const DURATIONS: Record<'full' | 'quick', Durations> = {
  full: { inputS: 120, warmUpS: 6, windowS: 20, targets: 2 },
  quick: { inputS: 30, warmUpS: 2, windowS: 5, targets: 1 },
};
const START_TIMEOUT_MS = 45_000;
const WHIP_CLIENT = fileURLToPath(new URL('../server/test/fixtures/wrtc-whip-client.ts', import.meta.url));

/** A push's FFmpeg writes FLV without duration or size (push-args.ts); the transcoder writes DASH. */
const pushCommands = new Map<string, boolean>();
function isPush(p: ProcessSample): boolean {
  const key = `${p.pid}:${p.startedS}`;
  let push = pushCommands.get(key);
  if (push === undefined) {
    const cmdline = fs.existsSync(`/proc/${p.pid}/cmdline`) ? fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8') : '';
    push = cmdline.includes('no_duration_filesize');
    pushCommands.set(key, push);
  }
  return push;
}
const classify = (p: ProcessSample) => (p.comm === 'ffmpeg' && isPush(p) ? 'push' : 'broadcast');

/** What one window of one broadcast cost, in cores (CPU-seconds per second). */
interface LegResult {
  /** Every process of the server: Node, mediasoup, the transcoder, the pushes. */
  total: number;
  /** The pushes' FFmpeg processes together. */
  pushes: number;
}

type Source = 'passthrough' | 'rung';

/**
 * Publishes the 720p30 test stream: over RTMP (H.264, passed through to the targets), or over WHIP as VP8
 * (wrtc, a process outside Axon's tree; its top rung, 720p, is copied to the targets).
 */
async function publish(source: Source, server: AxonServer, livestream: { id: string; rtmpUrl: string; streamKey: string }, input: string): Promise<OwnedProcess> {
  if (source === 'passthrough') return publishRtmp(input, [`${livestream.rtmpUrl}/${livestream.streamKey}`]).process;
  const size = `${TEST_STREAM.width}x${TEST_STREAM.height}`;
  return startProcess(process.execPath, ['--import', 'tsx', WHIP_CLIENT, '--size', size, '--fps', String(TEST_STREAM.fps), '--', 'publish', `${server.baseUrl}/whip/${livestream.id}`, livestream.streamKey]);
}

async function addTarget(server: AxonServer, livestreamId: string, url: string, streamKey: string): Promise<void> {
  const response = await server.request(`/api/livestreams/${livestreamId}/restreams`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: streamKey, url, streamKey }),
  });
  if (response.status !== 201) throw new Error(`POST restreams: ${response.status} ${response.body}`);
}

async function allLive(server: AxonServer, livestreamId: string, count: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const response = await server.request(`/api/livestreams/${livestreamId}/restreams`, { headers: { authorization: `Bearer ${server.apiToken}` } });
    const items = (JSON.parse(response.body) as { items: RestreamTarget[] }).items;
    if (items.length === count && items.every((t) => t.status === 'live')) return;
    if (Date.now() > deadline) throw new Error(`the targets did not all go live: ${response.body}\n${server.logTail()}`);
    await sleep(250);
  }
}

/** One broadcast on a fresh server, with `targets` targets on nginx (0: the broadcast alone). */
async function leg(source: Source, targets: number, nginxUrl: string, input: string, d: Durations): Promise<LegResult> {
  const server = await startAxonServer({ env: { AXON_LADDER: '720,480,360,144' } });
  let publisher: OwnedProcess | undefined;
  try {
    const livestream = await server.createLivestream(`bench restream ${source}`);
    for (let i = 0; i < targets; i++) await addTarget(server, livestream.id, nginxUrl, `bench-${source}-${i}`);
    publisher = await publish(source, server, livestream, input);
    await waitUntilPlayable(`${server.baseUrl}/live/${livestream.id}/master.m3u8`, START_TIMEOUT_MS).catch((err: Error) => {
      throw new Error(`${err.message}\npublisher: ${publisher?.errors()}\nserver:\n${server.logTail()}`);
    });
    if (targets > 0) await allLive(server, livestream.id, targets);
    await sleep(d.warmUpS * 1000);
    const meter = await TreeMeter.start(server.pid, classify);
    await sleep(d.windowS * 1000);
    const usage = await meter.stop();
    if (publisher.hasExited) throw new Error(`the publisher ended inside the window: ${publisher.errors()}`);
    if (targets > 0) await allLive(server, livestream.id, targets);
    const cores = (group: string) => usage.groups[group]?.cores ?? 0;
    return { total: cores('broadcast') + cores('push'), pushes: cores('push') };
  } finally {
    await publisher?.stop('SIGTERM', 5000);
    await server.stop();
  }
}

async function startDestination(): Promise<{ nginx: Nginx; url: string }> {
  const port = await freeTcpPort();
  const nginx = await startNginx({
    workers: 1,
    modules: [RTMP_MODULE],
    // A destination that takes every key and keeps nothing: what it costs is not Axon's.
    main: () => `rtmp {\n  server {\n    listen 127.0.0.1:${port};\n    application live { live on; }\n  }\n}`,
    http: () => '',
    ports: [port],
  });
  return { nginx, url: `rtmp://127.0.0.1:${port}/live` };
}

/**
 * Issue 20: what one restream target costs, for an RTMP source passed through and for a WebRTC source
 * whose top rung is copied, beside the same broadcast without targets. Measured two ways: the push's own
 * FFmpeg, and the whole server with targets minus the whole server without (which adds the Node work of
 * feeding the pushes, and the noise of two separate windows).
 */
export const restream: Benchmark = {
  name: 'restream',
  title: 'Restream: CPU per pushed target at 720p30 (RTMP passthrough, WebRTC top rung copied)',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = DURATIONS[quick ? 'quick' : 'full'];
    const input = await testStreamFile(d.inputS);
    const destination = await startDestination();
    const results: Record<Source, { alone: LegResult[]; pushed: LegResult[] }> = { passthrough: { alone: [], pushed: [] }, rung: { alone: [], pushed: [] } };
    try {
      for (let i = 1; i <= runs; i++) {
        for (const source of ['passthrough', 'rung'] as const) {
          const pushed = await leg(source, d.targets, destination.url, input, d);
          // The smoke run only proves the legs work: the broadcast's own share of the one leg stands in.
          const alone = quick ? { total: pushed.total - pushed.pushes, pushes: 0 } : await leg(source, 0, destination.url, input, d);
          results[source].alone.push(alone);
          results[source].pushed.push(pushed);
          log(`run ${i}, ${source}: alone ${alone.total.toFixed(3)} cores; with ${d.targets} targets ${pushed.total.toFixed(3)} cores, of which pushes ${pushed.pushes.toFixed(3)}`);
        }
      }
    } finally {
      await destination.nginx.stop();
    }
    return (['passthrough', 'rung'] as const).flatMap((source): Figure[] => {
      const { alone, pushed } = results[source];
      const reference = { name: 'broadcast without targets', values: alone.map((r) => r.total) };
      const label = source === 'passthrough' ? 'RTMP source passed through' : 'WebRTC source, top rung copied';
      return [
        { metric: `${label}: CPU per target, its FFmpeg (cores)`, values: pushed.map((r) => r.pushes / d.targets), reference, target: { op: '<=', value: 0.05 } },
        { metric: `${label}: CPU per target, whole server with minus without (cores)`, values: pushed.map((r, i) => (r.total - alone[i]!.total) / d.targets), reference },
      ];
    });
  },
};
