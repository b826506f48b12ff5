import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { Livestream, PublicLivestream } from '../shared/livestream.js';
import type { AxonProcess } from '../server/test/fixtures/axon-process.js';
import { createClusterLan, type ClusterLan } from '../server/test/fixtures/cluster-lan.js';
import { withNodeOutput } from '../server/test/fixtures/node-output.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { expectPlayback } from './fixtures/playback.js';
import { goLive, studioUrl } from './fixtures/studio.js';
import { createTestCa, type TestCa } from './fixtures/test-ca.js';
import { hostSupport } from './fixtures/netns.js';
import { expectRealtimePlayback, recordPeerConnections } from './fixtures/webrtc.js';

/*
 * Cluster mode (issue 17) seen from a browser: nodes A and B, PostgreSQL and Redis on hosts of their own
 * (server/test/fixtures/cluster-lan.ts, the layout of server/test/cluster-hosts.test.ts), Chromium in the root
 * namespace (the users' host) reaching the nodes at their LAN addresses. The camera needs a secure context,
 * which http:// off localhost is not: each node serves HTTPS with a certificate for its address from a CA
 * made for the run, and the browser contexts accept it with Playwright's ignoreHTTPSErrors (as
 * e2e/other-host.spec.ts does), not with a Chromium flag. The cases run in order on what the one before left.
 */

const support = hostSupport();
test.skip(!support.ok, support.ok ? '' : support.reason);

const TOKEN = 'cluster-spec-token-0123456789';
/** From A's death: its lease expires (8 s), the studio's next attempt (every 2 s) goes live on B (a few s). */
const RECOVERY_MS = 60_000;

interface Node {
  process: AxonProcess;
  api: APIRequestContext;
  ip: string;
}

/** The remote addresses of the page's connected peer connections (recordPeerConnections): which node takes its media. */
function mediaPeers(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const peers: string[] = [];
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      stats.forEach((s: { type: string; nominated?: boolean; state?: string; remoteCandidateId?: string }) => {
        if (s.type !== 'candidate-pair' || !s.nominated || s.state !== 'succeeded' || !s.remoteCandidateId) return;
        const remote = stats.get(s.remoteCandidateId) as { address?: string } | undefined;
        if (remote?.address) peers.push(remote.address);
      });
    }
    return peers;
  });
}

/** How far the player's video has played: it moves on only while frames keep being painted. */
const playedS = (page: Page) => page.evaluate(() => window.__axonPlayer?.video.currentTime ?? 0);

test.describe.serial('a cluster of two nodes on hosts of their own, from a browser', () => {
  let ca: TestCa;
  let cluster: ClusterLan;
  let a: Node;
  let b: Node;
  const contexts: BrowserContext[] = [];
  const publishers: FfmpegRtmpPublisher[] = [];
  /** The livestream created through B and published from the studio. */
  let ls: Livestream;
  let studio: Page;
  /** An RTMP broadcast on B that leaves it no room. */
  let filler: Livestream;

  const onApi = async (node: Node, id: string) => (await (await node.api.get(`/api/livestreams/${id}`)).json()) as PublicLivestream;
  const create = async (node: Node, name: string) => {
    const response = await node.api.post('/api/livestreams', { headers: { authorization: `Bearer ${TOKEN}` }, data: { name, record: false } });
    expect(response.status(), await response.text()).toBe(201);
    return (await response.json()) as Livestream;
  };
  /** A browser on the users' host, on a node's pages. */
  const userContext = async (browser: Browser, node: Node) => {
    const context = await browser.newContext({ baseURL: node.process.base, ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'] });
    contexts.push(context);
    return context;
  };
  const withOutput = (check: () => Promise<void>) => withNodeOutput(() => ({ A: a.process, B: b.process }), check);

  test.beforeAll(async ({ playwright }) => {
    test.setTimeout(120_000);
    ca = await createTestCa();
    cluster = await createClusterLan({ nodes: 2, token: TOKEN, ca });
    const node = async (i: number, env: Record<string, string>): Promise<Node> => {
      const process = await cluster.start(i, env);
      const api = await playwright.request.newContext({ baseURL: process.base, ignoreHTTPSErrors: true });
      return { process, api, ip: cluster.hosts[i]!.ip };
    };
    // B takes one broadcast: with one running, it places a studio on A.
    a = await node(0, {});
    b = await node(1, { AXON_MAX_BROADCASTS: '1' });
  });

  test.afterAll(async () => {
    for (const context of contexts) await context.close();
    for (const publisher of publishers) await publisher.kill();
    await a?.api.dispose();
    await b?.api.dispose();
    await cluster?.close();
    ca?.close();
  });

  test('a studio page on the full B goes live on A; B says live, and a real-time viewer sent to B plays it from A', async ({ browser }) => {
    await withOutput(async () => {
      filler = await create(b, 'fills B');
      publishers.push(new FfmpegRtmpPublisher({ url: `rtmp://${b.ip}:${b.process.rtmpPort}/live/${filler.streamKey}`, width: 256, height: 144 }));
      await expect.poll(async () => (await onApi(b, filler.id)).status, { timeout: 30_000 }).toBe('live');

      ls = await create(b, 'studio, placed');
      studio = await (await userContext(browser, b)).newPage();
      await studio.addInitScript(recordPeerConnections);
      await studio.goto(studioUrl(ls));
      await goLive(studio);
      expect(await mediaPeers(studio)).toEqual([a.ip]);
      expect((await onApi(b, ls.id)).status).toBe('live');

      const viewer = await (await userContext(browser, b)).newPage();
      const whepAnswers: string[] = [];
      viewer.on('response', (r) => void (r.request().method() === 'POST' && r.url().includes('/whep/') && whepAnswers.push(`${r.status()} ${r.url()}`)));
      await viewer.goto(`/watch/${ls.id}?format=webrtc`);
      await expectRealtimePlayback(viewer, 'video/VP8');
      expect(whepAnswers).toEqual([`307 ${b.process.base}/whep/${ls.id}`, `201 ${a.process.base}/whep/${ls.id}`]);
      const before = await playedS(viewer);
      await expect.poll(() => playedS(viewer), { timeout: 15_000 }).toBeGreaterThan(before + 1);

      // A second viewer, on A: each node counts its own and both answer the sum, as B's page shows.
      await (await (await userContext(browser, a)).newPage()).goto(`/watch/${ls.id}`);
      await expect(viewer.getByTestId('viewers')).toHaveText('2 watching', { timeout: 20_000 });
      expect((await onApi(a, ls.id)).viewers).toBe(2);
    });
  });

  test('A killed: the studio goes live again on B by itself, and the watch page on B plays again without a reload', async ({ browser }) => {
    test.setTimeout(150_000);
    await withOutput(async () => {
      const viewer = await (await userContext(browser, b)).newPage();
      await viewer.goto(`/watch/${ls.id}`);
      await expectPlayback(viewer, 'hls');
      // Survives only as long as the page is not loaded again.
      await viewer.evaluate(() => ((window as { sameDocument?: boolean }).sameDocument = true));

      // B gets room again, so that it can take the studio when A is gone.
      for (const publisher of publishers.splice(0)) await publisher.kill();
      await expect.poll(async () => (await onApi(b, filler.id)).status, { timeout: 10_000 }).toBe('offline');
      const killedAt = Date.now();
      await a.process.kill();

      await expect(studio.getByTestId('live-indicator')).not.toHaveText('LIVE', { timeout: 20_000 });
      await expect(studio.getByTestId('live-indicator')).toHaveText('LIVE', { timeout: RECOVERY_MS });
      expect(await mediaPeers(studio)).toEqual([b.ip]);
      expect((await onApi(b, ls.id)).status).toBe('live');

      await expect(viewer.getByTestId('player-state')).toBeHidden({ timeout: Math.max(1, RECOVERY_MS - (Date.now() - killedAt)) });
      const resumed = await playedS(viewer);
      await expect.poll(() => playedS(viewer), { timeout: 20_000 }).toBeGreaterThan(resumed + 1);
      expect(Date.now() - killedAt).toBeLessThan(RECOVERY_MS + 20_000);
      expect(await viewer.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true);
    });
  });
});
