import path from 'node:path';
import { AUDIO_PLAYLIST } from '../server/src/media/media-layout.js';
import { RTMP_APP, SEGMENT_DURATION_S } from '../shared/constants.js';
import type { Livestream } from '../shared/livestream.js';
import { startAxonCluster, type AxonCluster } from './lib/axon-cluster.js';
import { freeTcpPort, startAxonServer, type AxonServer } from './lib/axon-server.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { waitForIdle } from './lib/broadcast-snapshot.js';
import { readClusterEdgeConfig } from './lib/edge-config.js';
import { variantUris, waitUntilPlayable } from './lib/hls.js';
import { epochOf, sampleLiveEdge, topRungListed } from './lib/live-edge.js';
import { startNginx, type Nginx } from './lib/nginx.js';
import { publishRtmp, type RtmpPublisher } from './lib/rtmp-publisher.js';
import { median } from './lib/stats.js';
import { SMALL_TEST_STREAM, testStreamFile } from './lib/test-stream.js';
import { placeWhipPublishes } from './lib/whip-placement.js';
import { combineSlices, runWrk, type WrkResult } from './lib/wrk.js';

/** How long each phase of a run lasts, and its load. */
const FULL = {
  inputS: 120,
  /** After every side is playable, before the live edge is sampled. */
  warmUpS: 4,
  windowS: 20,
  /** Each wrk figure is this many slices of sliceS, the two sides taking turns. */
  slices: 4,
  sliceS: 2,
  /** wrk connections through each edge, without pause. */
  edgeViewers: 100,
};
type Durations = typeof FULL;
const QUICK: Durations = { inputS: 30, warmUpS: 1, windowS: 4, slices: 1, sliceS: 1, edgeViewers: 20 };
const GO_LIVE_TIMEOUT_MS = 30_000;
/** Each node transcodes at most 2 broadcasts: 4 WHIP publishes fit only 2 and 2. */
const NODE_ENV = { AXON_MAX_BROADCASTS: '2', AXON_RECONNECT_WINDOW_S: '0' };
const PLACED_PUBLISHES = 4;
/** Longer than the window of FFmpeg speeds a node's load reports (4 heartbeats 2.5 s apart). */
const SPEED_WINDOW_MS = 12_000;
/** The p99 load: a few viewers polling, so that p99 is one request's latency rather than a queue's. */
const PACED = { connections: 8, threads: 1, delayMs: 100 };

type Kind = 'api' | 'playlist' | 'segment';
type Pair = { a: number; b: number };

interface RunResult {
  /** Publish → playable: the embedded server, and the cluster through A (hosting) and B (not hosting). */
  goLive: { single: number; a: number; b: number };
  liveEdge: { single: number; b: number };
  /** p99 (ms) through A (hosting) and B. */
  p99: Record<Kind, Pair>;
  /** Requests/s through the edge in front of A alone and in front of A and B. */
  edgeRps: { one: number; two: number };
  placed: Pair & { refused: number };
}

/** Both edges, each the shipped edge configuration with the cluster's upstream block. */
interface Edges {
  one: string;
  two: string;
  stop(): Promise<void>;
}

const masterOf = (server: AxonServer, id: string) => `${server.baseUrl}/live/${id}/master.m3u8`;

const checked = (what: string, r: WrkResult) => {
  if (r.socketErrors > 0 || r.badStatus > 0) throw new Error(`${what}: ${r.socketErrors} socket errors, ${r.badStatus} bad statuses`);
  return r;
};

/** Both sides measured in slices, taking turns in an order that alternates: the machine's drift falls on both alike. */
async function inTurns(sides: Record<'x' | 'y', (durationS: number) => Promise<WrkResult>>, d: Durations): Promise<Record<'x' | 'y', WrkResult>> {
  const slices = { x: [] as WrkResult[], y: [] as WrkResult[] };
  for (let k = 0; k < d.slices; k++) {
    for (const side of k % 2 === 0 ? (['x', 'y'] as const) : (['y', 'x'] as const)) slices[side].push(checked(side, await sides[side](d.sliceS)));
  }
  return { x: combineSlices(slices.x), y: combineSlices(slices.y) };
}

/** What a viewer of the top rung cycles through: its playlist, the audio playlist, the newest complete segment of each. */
async function viewerPaths(node: AxonServer, livestreamId: string): Promise<string[]> {
  const base = `/live/${livestreamId}/`;
  const playlists = [variantUris(await (await fetch(`${node.baseUrl}${base}master.m3u8`)).text())[0]!, AUDIO_PLAYLIST];
  const newest = await Promise.all(
    playlists.map(async (p) => {
      const text = await (await fetch(`${node.baseUrl}${base}${p}`)).text();
      const segment = text.split('\n').filter((l) => l.endsWith('.m4s') && !l.startsWith('#')).at(-1);
      if (segment === undefined) throw new Error(`${p} lists no segment yet:\n${text}`);
      return segment;
    }),
  );
  return [...playlists, ...newest].map((p) => `${base}${p}`);
}

async function startEdges([a, b]: AxonCluster['nodes']): Promise<Edges> {
  const started: Nginx[] = [];
  const urls: string[] = [];
  try {
    for (const nodes of [[a], [a, b]]) {
      const port = await freeTcpPort();
      const upstream = nodes.map((n) => new URL(n.baseUrl).host);
      started.push(await startNginx({ workers: 1, http: (prefix) => readClusterEdgeConfig({ cacheDir: path.join(prefix, 'cache'), listen: `127.0.0.1:${port}`, nodes: upstream }), ports: [port] }));
      urls.push(`http://127.0.0.1:${port}`);
    }
  } catch (err) {
    for (const n of started) await n.stop();
    throw err;
  }
  return { one: urls[0]!, two: urls[1]!, stop: async () => void (await Promise.all(started.map((n) => n.stop()))) };
}

/** Go-live and live edge of one publish sent at once to the embedded server and to node A, read from the server and through B. */
async function goLiveAndEdge(single: AxonServer, [a, b]: AxonCluster['nodes'], alone: Livestream, clustered: Livestream, publisher: RtmpPublisher, d: Durations) {
  const [singleAt, aAt, bAt] = await Promise.all([single, a, b].map((s) => waitUntilPlayable(masterOf(s, s === single ? alone.id : clustered.id), GO_LIVE_TIMEOUT_MS))).catch((err: Error) => {
    throw new Error(`${err.message}\npublisher: ${publisher.process.errors()}\nA:\n${a.logTail()}\nB:\n${b.logTail()}`);
  });
  const epochMs = epochOf(publisher);
  await sleep(d.warmUpS * 1000);
  const [singleLags, bLags] = await Promise.all([
    sampleLiveEdge(epochMs, await topRungListed(masterOf(single, alone.id)), d.windowS),
    sampleLiveEdge(epochMs, await topRungListed(masterOf(b, clustered.id)), d.windowS),
  ]);
  const since = (at: number) => (at - epochMs()) / 1000;
  return { goLive: { single: since(singleAt!), a: since(aAt!), b: since(bAt!) }, liveEdge: { single: median(singleLags), b: median(bLags) } };
}

/** p99 of the API, a live playlist and a segment of the broadcast on A, asked of A and of B. */
async function p99s([a, b]: AxonCluster['nodes'], clustered: Livestream, d: Durations): Promise<Record<Kind, Pair>> {
  const [playlist, , segment] = await viewerPaths(a, clustered.id);
  const paced = (node: AxonServer, paths: string[]) => (durationS: number) => runWrk({ baseUrl: node.baseUrl, paths, durationS, ...PACED });
  const kinds: Record<Kind, string[]> = { api: [`/api/livestreams/${clustered.id}`], playlist: [playlist!], segment: [segment!] };
  const result = {} as Record<Kind, Pair>;
  for (const kind of Object.keys(kinds) as Kind[]) {
    const r = await inTurns({ x: paced(a, kinds[kind]), y: paced(b, kinds[kind]) }, d);
    result[kind] = { a: r.x.latencyP99Ms, b: r.y.latencyP99Ms };
  }
  return result;
}

async function edgeRps(edges: Edges, b: AxonServer, clustered: Livestream, d: Durations) {
  const paths = await viewerPaths(b, clustered.id);
  const saturated = (baseUrl: string) => (durationS: number) => runWrk({ baseUrl, paths, connections: d.edgeViewers, threads: 2, durationS, delayMs: 0 });
  // Caches filled: the figure is what each edge serves in a steady state, not its first misses.
  for (const url of [edges.one, edges.two]) await saturated(url)(1);
  const r = await inTurns({ x: saturated(edges.one), y: saturated(edges.two) }, d);
  return { one: r.x.requestsPerS, two: r.y.requestsPerS };
}

async function oneRun(single: AxonServer, cluster: AxonCluster, edges: Edges, input: string, i: number, d: Durations, log: (line: string) => void): Promise<RunResult> {
  const [a, b] = cluster.nodes;
  // Placement first, on idle nodes: the FFmpeg speeds a node reports are those of its last 10 s, and an earlier
  // run's broadcast slowed by wrk's load would still make the node count as full.
  if (i > 1) await sleep(SPEED_WINDOW_MS);
  const split = await placeWhipPublishes(a, [a, b], PLACED_PUBLISHES);
  const placed = { a: split.placed.get(a.baseUrl)!, b: split.placed.get(b.baseUrl)!, refused: split.refused };
  log(`run ${i}: ${PLACED_PUBLISHES} WHIP publishes sent to A: ${placed.a} on A, ${placed.b} on B, ${placed.refused} refused`);

  const alone = await single.createLivestream(`bench cluster ${i}`);
  // Created through B, published to A: B answers for it only through A.
  const clustered = await b.createLivestream(`bench cluster ${i}`);
  const publisher = publishRtmp(input, [`${alone.rtmpUrl}/${alone.streamKey}`, `rtmp://127.0.0.1:${a.rtmpPort}/${RTMP_APP}/${clustered.streamKey}`]);
  let live: Awaited<ReturnType<typeof goLiveAndEdge>>;
  let p99: Record<Kind, Pair>;
  let rps: RunResult['edgeRps'];
  try {
    live = await goLiveAndEdge(single, cluster.nodes, alone, clustered, publisher, d);
    log(`run ${i}: go-live embedded ${live.goLive.single.toFixed(2)} s, cluster via A ${live.goLive.a.toFixed(2)} s, via B ${live.goLive.b.toFixed(2)} s; live edge ${live.liveEdge.single.toFixed(2)} s vs ${live.liveEdge.b.toFixed(2)} s`);
    p99 = await p99s(cluster.nodes, clustered, d);
    log(`run ${i}: p99 A/B (ms): ${Object.entries(p99).map(([k, v]) => `${k} ${v.a.toFixed(1)}/${v.b.toFixed(1)}`).join(', ')}`);
    rps = await edgeRps(edges, b, clustered, d);
    log(`run ${i}: edge in front of 1 node ${rps.one.toFixed(0)} req/s, of 2 nodes ${rps.two.toFixed(0)} req/s`);
    if (publisher.process.hasExited) throw new Error(`the publisher ended before the measurements did: ${publisher.process.errors()}`);
  } finally {
    await publisher.stop();
  }
  for (const node of [single, a, b]) await waitForIdle(node);
  return { goLive: live.goLive, liveEdge: live.liveEdge, p99, edgeRps: rps, placed };
}

function figures(results: RunResult[]): Figure[] {
  const values = (pick: (r: RunResult) => number) => results.map(pick);
  const embedded = (pick: (r: RunResult) => number) => ({ name: 'embedded', values: values(pick) });
  const hosting = (kind: Kind) => ({ name: 'via A, hosting', values: values((r) => r.p99[kind].a) });
  const plus50 = (kind: Kind) => ({ op: '<=' as const, value: Math.round(median(values((r) => r.p99[kind].a)) + 50) });
  return [
    { metric: 'go-live: RTMP publish → playable, cluster via A, hosting (s)', values: values((r) => r.goLive.a), reference: embedded((r) => r.goLive.single), target: { op: '<=', value: 1.1, of: 'ratio' } },
    { metric: 'go-live: RTMP publish → playable, cluster via B, not hosting (s)', values: values((r) => r.goLive.b), reference: embedded((r) => r.goLive.single), target: { op: '<=', value: 1.1, of: 'ratio' } },
    {
      metric: `HLS live-edge latency via B: frame sent → listed, ${SEGMENT_DURATION_S} s segments (s)`,
      values: values((r) => r.liveEdge.b),
      reference: embedded((r) => r.liveEdge.single),
      target: { op: '<=', value: 1.1, of: 'ratio' },
    },
    { metric: 'API p99, GET /api/livestreams/:id via B (ms)', values: values((r) => r.p99.api.b), reference: hosting('api'), target: plus50('api') },
    { metric: 'origin p99, live playlist via B (ms)', values: values((r) => r.p99.playlist.b), reference: hosting('playlist'), target: plus50('playlist') },
    { metric: 'origin p99, segment via B (ms)', values: values((r) => r.p99.segment.b), reference: hosting('segment'), target: plus50('segment') },
    { metric: 'requests/s through the nginx edge in front of A and B', values: values((r) => r.edgeRps.two), reference: { name: 'edge in front of A', values: values((r) => r.edgeRps.one) } },
    { metric: `placement: of ${PLACED_PUBLISHES} WHIP publishes sent to A, broadcasts on A`, values: values((r) => r.placed.a), target: { op: '>=', value: 2 } },
    { metric: `placement: of ${PLACED_PUBLISHES} WHIP publishes sent to A, broadcasts on B`, values: values((r) => r.placed.b), target: { op: '>=', value: 2 } },
  ];
}

/** Issue 17: two nodes sharing PostgreSQL and Redis, beside the embedded server in the same run. */
export const cluster: Benchmark = {
  name: 'cluster',
  title: 'Cluster of 2 nodes (PostgreSQL + Redis) vs the embedded server; both nodes share the same 2 cores',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const input = await testStreamFile(d.inputS, SMALL_TEST_STREAM);
    const [single, nodes] = await Promise.all([startAxonServer({ env: NODE_ENV }), startAxonCluster(NODE_ENV)]);
    const results: RunResult[] = [];
    try {
      const edges = await startEdges(nodes.nodes);
      try {
        for (let i = 1; i <= runs; i++) results.push(await oneRun(single, nodes, edges, input, i, d, log));
      } finally {
        await edges.stop();
      }
    } finally {
      await nodes.stop();
      await single.stop();
    }
    return figures(results);
  },
};
