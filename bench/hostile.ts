import { randomBytes } from 'node:crypto';
import { ChatEvents } from '../shared/chat.js';
import type { Livestream } from '../shared/livestream.js';
import { ask, connectChat, type ChatSocket } from '../server/test/fixtures/chat-clients.js';
import { requestFrom } from '../server/test/fixtures/request-from.js';
import { chromeViewerOffer } from '../server/test/fixtures/sdp-offers.js';
import { WrtcClient } from '../server/test/fixtures/webrtc-http-server.js';
import { startAxonServer, type AxonServer } from './lib/axon-server.js';
import { MB, sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { snapshotBroadcast, waitForIdle } from './lib/broadcast-snapshot.js';
import { heapProbeEnv, inBatches, memoryInUse, refusedPublish } from './lib/hostile-clients.js';
import { sampleTree } from './lib/process-tree.js';
import { testStreamFile } from './lib/test-stream.js';
import { runWrk } from './lib/wrk.js';

interface Load {
  viewers: number;
  measureS: number;
  chatSockets: number;
  refusedPublishes: number;
  abandonedOffers: number;
  segments: number;
  inputS: number;
}

const FULL: Load = { viewers: 200, measureS: 15, chatSockets: 200, refusedPublishes: 1000, abandonedOffers: 500, segments: 5, inputS: 60 };
const QUICK: Load = { viewers: 50, measureS: 4, chatSockets: 20, refusedPublishes: 40, abandonedOffers: 20, segments: 3, inputS: 20 };
/** A viewer's player asks for a playlist or a segment every 500 ms (as in the `origin` benchmark). */
const PACED_DELAY_MS = 500;
/** The attack is in full swing before the viewers are measured. */
const RAMP_MS = 1500;
/** Abandoned WHEP offers come from this many loopback addresses (the limit per address would stop one). */
const OFFER_ADDRESSES = 10;
/** An unanswered WHEP session is released after the server's connect timeout (15 s). */
const RELEASE_TIMEOUT_MS = 40_000;

const serverRssMb = async (server: AxonServer) =>
  ((await sampleTree(server.pid)).find((p) => p.pid === server.pid)?.rssBytes ?? 0) / MB;

async function metric(server: AxonServer, name: string): Promise<number> {
  const text = (await server.request('/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

interface AttackCounts {
  chatSent: number;
  chatRefused: number;
  socketsRefused: number;
  offersAnswered: number;
  offersRefused: number;
}

/**
 * Everything at once from this machine, until stopped: chat sockets sending as fast as their acks come back,
 * RTMP publishes under random names (refused: no such key), and WHEP offers that never connect.
 */
function attack(server: AxonServer, chatLivestream: Livestream, realtime: Livestream, load: Load) {
  const counts: AttackCounts = { chatSent: 0, chatRefused: 0, socketsRefused: 0, offersAnswered: 0, offersRefused: 0 };
  let stopping = false;
  const sockets: ChatSocket[] = [];
  const flood = (async () => {
    const attempts = await Promise.allSettled(Array.from({ length: load.chatSockets }, () => connectChat(server.baseUrl)));
    for (const a of attempts) {
      if (a.status === 'fulfilled') sockets.push(a.value);
      else counts.socketsRefused += 1;
    }
    await Promise.all(
      sockets.map(async (socket, i) => {
        await ask(socket, ChatEvents.join, { livestreamId: chatLivestream.id, name: `flood ${i}` });
        while (!stopping) {
          const ack = await ask(socket, ChatEvents.send, { text: `spam ${counts.chatSent + counts.chatRefused}` }).catch(() => ({ ok: false }));
          if (ack.ok) counts.chatSent += 1;
          else counts.chatRefused += 1;
        }
      }),
    );
  })();
  const publishes = inBatches(load.refusedPublishes, 8, (i) => refusedPublish(server.rtmpPort, `nokey${i}${randomBytes(6).toString('hex')}`));
  const offers = inBatches(load.abandonedOffers, OFFER_ADDRESSES, async (i) => {
    const answer = await requestFrom(`127.0.0.${10 + (i % OFFER_ADDRESSES)}`, `${server.baseUrl}/whep/${realtime.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: chromeViewerOffer,
    });
    if (answer.status === 201) counts.offersAnswered += 1;
    else counts.offersRefused += 1;
  });
  return {
    counts,
    stop: async () => {
      await Promise.all([publishes, offers]);
      stopping = true;
      await flood;
      sockets.forEach((s) => s.close());
    },
  };
}

interface RunResult {
  quietP99Ms: number;
  hostileP99Ms: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  counts: AttackCounts;
}

/**
 * Issue 14: viewers of an origin under attack. 200 HLS viewers at a player's pace (wrk, as in `origin`) on a
 * quiet server, then the same viewers while chat sockets flood, refused RTMP publishes and abandoned WHEP
 * offers run against the same server; and the server's memory before the attack and after the attackers
 * are gone.
 */
export const hostile: Benchmark = {
  name: 'hostile',
  title: 'Hostile clients: origin p99 for HLS viewers during a chat flood, refused RTMP and abandoned WHEP, and memory after',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const load = quick ? QUICK : FULL;
    const input = await testStreamFile(load.inputS);
    const server = await startAxonServer({ env: { AXON_RECONNECT_WINDOW_S: '0', AXON_LADDER: '240', ...heapProbeEnv() } });
    const publishers: WrtcClient[] = [];
    try {
      const paths = (await snapshotBroadcast(server, input, load.segments)).flat();
      await waitForIdle(server);
      const chatLivestream = await server.createLivestream('bench hostile chat');
      // Abandoned WHEP offers need a broadcast that WHEP plays: a WebRTC publish (WHIP).
      const realtime = await server.createLivestream('bench hostile realtime');
      const publisher = WrtcClient.publish(`${server.baseUrl}/whip/${realtime.id}`, realtime.streamKey);
      publishers.push(publisher);
      await publisher.waitFor('the WHIP answer', (e) => e.event === 'answered');
      const viewers = (durationS: number) =>
        runWrk({ baseUrl: server.baseUrl, paths, connections: load.viewers, threads: 2, durationS, delayMs: PACED_DELAY_MS });

      const results: RunResult[] = [];
      for (let i = 1; i <= runs; i++) {
        const quiet = await viewers(load.measureS);
        const transportsBefore = await metric(server, 'axon_mediasoup_transports');
        const rssBeforeMb = await serverRssMb(server);
        const heapBeforeMb = (await memoryInUse(server)) / MB;
        const running = attack(server, chatLivestream, realtime, load);
        await sleep(RAMP_MS);
        const hostileRun = await viewers(load.measureS);
        await running.stop();
        // Once the unanswered WHEP sessions have been released, nothing of the attack should remain.
        const deadline = Date.now() + RELEASE_TIMEOUT_MS;
        while ((await metric(server, 'axon_mediasoup_transports')) > transportsBefore && Date.now() < deadline) await sleep(500);
        const rssAfterMb = await serverRssMb(server);
        const heapAfterMb = (await memoryInUse(server)) / MB;
        if (hostileRun.badStatus > 0 || hostileRun.socketErrors > 0) {
          throw new Error(`viewers were refused during the attack: ${hostileRun.badStatus} bad answers, ${hostileRun.socketErrors} socket errors`);
        }
        const { counts } = running;
        log(
          `run ${i}: p99 quiet ${quiet.latencyP99Ms.toFixed(1)} ms, under attack ${hostileRun.latencyP99Ms.toFixed(1)} ms; ` +
            `RSS ${rssBeforeMb.toFixed(0)} → ${rssAfterMb.toFixed(0)} MB, in use after GC ${heapBeforeMb.toFixed(1)} → ${heapAfterMb.toFixed(1)} MB; chat ${counts.chatSent} sent, ${counts.chatRefused} refused, ` +
            `${counts.socketsRefused} sockets refused; WHEP ${counts.offersAnswered} answered, ${counts.offersRefused} refused`,
        );
        results.push({ quietP99Ms: quiet.latencyP99Ms, hostileP99Ms: hostileRun.latencyP99Ms, rssBeforeMb, rssAfterMb, heapBeforeMb, heapAfterMb, counts });
      }
      const values = (pick: (r: RunResult) => number) => results.map(pick);
      return [
        {
          metric: `origin p99, ${load.viewers} HLS viewers at a player's pace, under attack (ms)`,
          values: values((r) => r.hostileP99Ms),
          reference: { name: 'quiet server', values: values((r) => r.quietP99Ms) },
          target: { op: '<=', value: 1.5, of: 'ratio' },
        },
        { metric: 'server memory in use after a full GC, before the attack (MB)', values: values((r) => r.heapBeforeMb) },
        {
          metric: 'server memory in use after a full GC, growth once the attackers are gone (MB)',
          values: values((r) => r.heapAfterMb - r.heapBeforeMb),
          target: { op: '<=', value: 10 },
        },
        { metric: 'server RSS before the attack (MB)', values: values((r) => r.rssBeforeMb) },
        { metric: 'server RSS growth over the attack (MB)', values: values((r) => r.rssAfterMb - r.rssBeforeMb) },
        { metric: `chat messages refused, ${load.chatSockets} sockets on one address (%)`, values: values((r) => (100 * r.counts.chatRefused) / Math.max(1, r.counts.chatSent + r.counts.chatRefused)) },
        { metric: `WHEP offers refused of ${load.abandonedOffers} (per-address and per-livestream limits)`, values: values((r) => r.counts.offersRefused) },
      ];
    } finally {
      await Promise.all(publishers.map((p) => p.kill()));
      await server.stop();
    }
  },
};
