import { Worker } from 'node:worker_threads';
import { DEFAULT_CHAT_RATE } from '../shared/chat.js';
import { startAxonServer, type AxonServer } from './lib/axon-server.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import type { ChatLoadReport, ChatLoadShare, ChatLoadStart } from './lib/chat-load-worker.js';
import { onCleanup } from './lib/cleanup.js';
import { percentile } from './lib/stats.js';
import { TreeMeter } from './lib/tree-meter.js';

interface Load {
  clients: number;
  /** Messages per second into the room, spread evenly over the senders. */
  messagesPerS: number;
  senders: number;
  /** Worker threads the clients are spread over. */
  workers: number;
  warmUpS: number;
  windowS: number;
}

const FULL: Load = { clients: 1000, messagesPerS: 20, senders: 40, workers: 2, warmUpS: 3, windowS: 20 };
const QUICK: Load = { clients: 100, messagesPerS: 20, senders: 40, workers: 2, warmUpS: 1, windowS: 4 };
const READY_TIMEOUT_MS = 120_000;
/** Worker threads do not inherit tsx's loader (`node --import tsx`): the worker registers it, then loads the TypeScript. */
const TS_WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./lib/chat-load-worker.ts', import.meta.url).href)}); })`;

interface RunResult {
  p50: number;
  p95: number;
  p99: number;
  deliveredPct: number;
  serverCores: number;
  loadCores: number;
  loadLoopDelayP99Ms: number;
}

/** The load's worker threads; resolves once every client is connected and joined. */
async function startWorkers(server: AxonServer, livestreamId: string, load: Load) {
  const periodMs = (load.senders / load.messagesPerS) * 1000;
  const workers: Worker[] = [];
  const unregister = onCleanup({ run: async () => void (await Promise.all(workers.map((w) => w.terminate()))) });
  const ready: Array<Promise<void>> = [];
  const done: Array<Promise<Extract<ChatLoadReport, { type: 'done' }>>> = [];
  for (let w = 0; w < load.workers; w++) {
    const share: ChatLoadShare = {
      url: server.baseUrl,
      livestreamId,
      clients: Math.floor(load.clients / load.workers) + (w < load.clients % load.workers ? 1 : 0),
      senderIndexes: Array.from({ length: load.senders }, (_, g) => g).filter((g) => g % load.workers === w),
      totalSenders: load.senders,
      periodMs,
    };
    const worker = new Worker(TS_WORKER_BOOTSTRAP, { eval: true, workerData: share });
    workers.push(worker);
    const failed = new Promise<never>((_, reject) => {
      worker.on('message', (r: ChatLoadReport) => r.type === 'failed' && reject(new Error(`chat load worker ${w}: ${r.error}`)));
      worker.once('error', reject);
    });
    failed.catch(() => undefined);
    const next = (type: ChatLoadReport['type']) =>
      Promise.race([failed, new Promise<ChatLoadReport>((resolve) => worker.on('message', (r: ChatLoadReport) => r.type === type && resolve(r)))]);
    ready.push(next('ready').then(() => undefined));
    const finished = next('done') as Promise<Extract<ChatLoadReport, { type: 'done' }>>;
    // Awaited after the run; until then a worker's failure must not count as unhandled.
    finished.catch(() => undefined);
    done.push(finished);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the clients did not all join within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([Promise.all(ready), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return {
    start: (s: ChatLoadStart) => workers.forEach((w) => w.postMessage(s)),
    finished: () => Promise.all(done),
    stop: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
      unregister();
    },
  };
}

async function oneRun(load: Load, index: number): Promise<RunResult> {
  // The clients stand for viewers each on an address of their own; here they all share 127.0.0.1, so the
  // limits per address (sockets, and the room's messages counted together) are raised to let them in.
  const server = await startAxonServer({
    env: { AXON_MAX_SOCKETS_PER_IP: String(load.clients + 10), AXON_CHAT_IP_RATE: String(load.messagesPerS * 10) },
  });
  try {
    const livestream = await server.createLivestream(`bench chat ${index}`);
    const workers = await startWorkers(server, livestream.id, load);
    try {
      const ns = (ms: number) => process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
      const sendFromMs = 200;
      const measureFromMs = sendFromMs + load.warmUpS * 1000;
      const measureToMs = measureFromMs + load.windowS * 1000;
      workers.start({
        sendFromNs: String(ns(sendFromMs)),
        measureFromNs: String(ns(measureFromMs)),
        measureToNs: String(ns(measureToMs)),
        sendUntilNs: String(ns(measureToMs)),
      });
      await sleep(measureFromMs);
      const meter = await TreeMeter.start(server.pid, () => 'server');
      const loadCpuBefore = process.cpuUsage();
      const loadWallBefore = performance.now();
      await sleep(load.windowS * 1000);
      const { groups } = await meter.stop();
      const loadCpu = process.cpuUsage(loadCpuBefore);
      const loadCores = (loadCpu.user + loadCpu.system) / 1000 / (performance.now() - loadWallBefore);
      const reports = await workers.finished();
      const refused = reports.reduce((n, r) => n + r.refused, 0);
      const dropped = reports.reduce((n, r) => n + r.disconnected, 0);
      if (refused > 0) throw new Error(`the server refused ${refused} message(s): the senders exceed AXON_CHAT_RATE or AXON_CHAT_IP_RATE`);
      if (dropped > 0) throw new Error(`${dropped} client(s) were disconnected during the run`);
      const latencies = new Float64Array(reports.reduce((n, r) => n + r.latenciesMs.length, 0));
      reports.reduce((offset, r) => (latencies.set(r.latenciesMs, offset), offset + r.latenciesMs.length), 0);
      const sent = reports.reduce((n, r) => n + r.sentMeasured, 0);
      return {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        deliveredPct: (100 * latencies.length) / (sent * load.clients),
        serverCores: groups.server?.cores ?? 0,
        loadCores,
        loadLoopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
      };
    } finally {
      await workers.stop();
    }
  } finally {
    await server.stop();
  }
}

/** Issue 6 and issue 8 (5): one room, many clients, a steady flow of messages; how late each delivery is. */
export const chat: Benchmark = {
  name: 'chat',
  title: 'Chat fan-out: clients in one room, messages/s, delivery latency and server CPU',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const load = quick ? QUICK : FULL;
    const perSender = load.messagesPerS / load.senders;
    if (perSender * 5 > DEFAULT_CHAT_RATE) throw new Error('the senders would exceed Axon\'s default chat rate limit: add senders');
    const results: RunResult[] = [];
    for (let i = 1; i <= runs; i++) {
      const r = await oneRun(load, i);
      log(
        `run ${i}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, delivered ${r.deliveredPct.toFixed(2)} %, ` +
          `server ${r.serverCores.toFixed(2)} cores, load ${r.loadCores.toFixed(2)} cores (event-loop delay p99 ${r.loadLoopDelayP99Ms.toFixed(1)} ms)`,
      );
      results.push(r);
    }
    const values = (pick: (r: RunResult) => number) => results.map(pick);
    const room = `${load.clients} clients, ${load.messagesPerS} msg/s`;
    return [
      { metric: `delivery latency p50, ${room} (ms)`, values: values((r) => r.p50) },
      { metric: `delivery latency p95, ${room} (ms)`, values: values((r) => r.p95), target: { op: '<=', value: 100 } },
      { metric: `delivery latency p99, ${room} (ms)`, values: values((r) => r.p99) },
      { metric: 'messages delivered to every client (%)', values: values((r) => r.deliveredPct), target: { op: '>=', value: 100 } },
      { metric: 'server CPU (cores)', values: values((r) => r.serverCores) },
      { metric: 'load generator CPU, all its threads (cores)', values: values((r) => r.loadCores) },
      { metric: "load generator's worst event-loop delay p99 (ms)", values: values((r) => r.loadLoopDelayP99Ms) },
    ];
  },
};
