import net from 'node:net';
import Context from 'node-media-server/src/core/context.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startAxonServer } from '../../bench/lib/axon-server.js';
import { heapProbeEnv, inBatches, memoryInUse, refusedPublish } from '../../bench/lib/hostile-clients.js';
import { startRtmpServer } from '../src/ingest/rtmp/rtmp-publish-gate.js';
import { createLogger } from '../src/log.js';
import { SessionRegistry } from '../src/session/session-registry.js';
import { DecodeSession } from './fixtures/decode-session.js';
import { chromeViewerOffer } from './fixtures/sdp-offers.js';
import { waitFor } from './fixtures/wait-for.js';
import { startWebRtcHttpServer, WrtcClient } from './fixtures/webrtc-http-server.js';

const log = createLogger('abandoned-test');
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A client that starts the RTMP handshake (C0 and part of C1), then gives up and closes. */
function abandonedHandshake(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(Buffer.concat([Buffer.from([3]), Buffer.alloc(700)]), () => socket.destroy());
    });
    socket.once('error', reject);
    socket.once('close', () => resolve());
  });
}

describe('refused and abandoned RTMP connections', () => {
  it("leave nothing in node-media-server's per-stream state", async () => {
    const rtmp = await startRtmpServer({
      host: '127.0.0.1',
      port: 0,
      registry: new SessionRegistry(() => {
        throw new Error('no publish is accepted in this test');
      }),
      keys: { resolveStreamKey: async () => undefined },
      reconnectWindowS: 30,
      log,
    });
    cleanups.push(() => rtmp.close());
    // Distinct names: node-media-server keeps a broadcast per stream name it is asked for.
    const publishing = inBatches(200, 20, (i) => refusedPublish(rtmp.port, `refused-${i}`));
    const handshakes = inBatches(200, 20, () => abandonedHandshake(rtmp.port));
    await Promise.all([publishing, handshakes]);
    await waitFor('no broadcast left', () => Context.broadcasts.size === 0, 5000);
    expect(Context.sessions.size).toBe(0);
  });

  it('leave the memory of a running server where it was once they are gone', { timeout: 60_000 }, async () => {
    const server = await startAxonServer({ env: heapProbeEnv() });
    cleanups.push(() => server.stop());
    const memory = () => memoryInUse(server);
    const load = async (round: number, count: number) => {
      await Promise.all([
        inBatches(count, 20, (i) => refusedPublish(server.rtmpPort, `r${round}-${i}-${'x'.repeat(40)}`)),
        inBatches(count, 20, () => abandonedHandshake(server.rtmpPort)),
      ]);
    };
    // A first round warms up what the refusal path loads and compiles once.
    await load(0, 50);
    const before = await memory();
    await load(1, 300);
    const after = await memory();
    // The bound. Kept state would show at ~77 kB per refused publish (what one costs while it lasts):
    // 300 of them would be about 23 MB. Below that, the figure moves by a few MB with V8's own bookkeeping.
    expect(after - before, `${before} → ${after} bytes`).toBeLessThan(10 * 1024 * 1024);
  });
});

describe('WHEP offers that never connect', { timeout: 60_000 }, () => {
  let server: Awaited<ReturnType<typeof startWebRtcHttpServer>> | undefined;
  afterAll(async () => server?.close());

  it('release their transports, viewer routes and everything the broadcast held for them', async () => {
    server = await startWebRtcHttpServer(() => (id, ingest) => new DecodeSession(id, ingest));
    const { registry, livestreams, pool, base } = server;
    const ls = await livestreams.create({ name: 'abandoned offers', record: false });
    const publisher = WrtcClient.publish(`${base}/whip/${ls.id}`, ls.streamKey, '--no-audio');
    cleanups.push(() => publisher.kill());
    await waitFor('the broadcast live', () => registry.get(ls.id)?.state === 'live', 30_000);
    const broadcastRouter = registry.get(ls.id)!.realtime!.router;
    const baseline = { ...(await pool.stats()), routerListeners: broadcastRouter.observer.listenerCount('close') };

    // Each offer numbers VP8 differently, so each gets a viewer route of its own (pipes from the broadcast's router).
    const offers = [50, 51, 52, 53, 54, 55, 56, 57].map((pt) =>
      chromeViewerOffer
        .replace(/^m=video (\d+) (\S+) .*$/m, `m=video $1 $2 ${pt}`)
        .replace(/a=rtpmap:96 VP8/, `a=rtpmap:${pt} VP8`)
        .replace(/a=rtcp-fb:96 /g, `a=rtcp-fb:${pt} `),
    );
    const answers = await Promise.all(
      offers.map((sdp) => fetch(`${base}/whep/${ls.id}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: sdp })),
    );
    expect(answers.map((r) => r.status)).toEqual(offers.map(() => 201));
    expect((await pool.stats()).routers).toBe(baseline.routers + offers.length);
    // Half the viewers leave at once (DELETE); the others never connect and are released by the server's timeout.
    for (const answer of answers.slice(0, 4)) await fetch(`${base}${answer.headers.get('location')}`, { method: 'DELETE' });

    await waitFor('every unconnected viewer released', async () => (await pool.stats()).transports === baseline.transports, 25_000);
    expect((await pool.stats()).routers).toBe(baseline.routers);
    expect(broadcastRouter.observer.listenerCount('close')).toBe(baseline.routerListeners);
    expect(registry.get(ls.id)?.state).toBe('live');
  });
});
