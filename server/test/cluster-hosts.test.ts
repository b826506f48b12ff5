import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterEdgeConfig } from '../../bench/lib/edge-config.js';
import { startNginx, type Nginx } from '../../bench/lib/nginx.js';
import { hostSupport } from '../../e2e/fixtures/netns.js';
import { ChatEvents, type ChatJoinResponse, type ChatMessage, type ViewerCount } from '../../shared/chat.js';
import type { Livestream, PublicLivestream } from '../../shared/livestream.js';
import { manifestPath } from '../../shared/public-paths.js';
import type { RecordingList } from '../../shared/recording.js';
import { freePort, type AxonProcess } from './fixtures/axon-process.js';
import { ask, connectChat, record, type ChatSocket } from './fixtures/chat-clients.js';
import { createClusterLan, type ClusterLan } from './fixtures/cluster-lan.js';
import { asClusterNode } from './fixtures/cluster-node-hop.js';
import { withNodeOutput } from './fixtures/node-output.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { waitFor } from './fixtures/wait-for.js';
import { WrtcClient } from './fixtures/webrtc-http-server.js';

/**
 * Cluster mode across hosts (issue 17): a LAN of network namespaces (fixtures/cluster-lan.ts) with
 * PostgreSQL and Redis on a "db" host, nodes A and B each on a host of its own with its own data directory
 * (no shared disk), and this process (publishers, viewers, an nginx edge) on the LAN's root side. The cases
 * run in order, each on what the one before left: A serves first, B joins it, A dies and comes back.
 */

const support = hostSupport();
if (!support.ok) console.warn(`cluster-hosts: skipping: ${support.reason}`);

const TOKEN = 'cluster-hosts-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const run = promisify(execFile);

/** What FFmpeg reads of a manifest (and the segments it lists) through a URL: its streams. */
async function probe(url: string): Promise<{ codec_type: string; width?: number; height?: number }[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-show_entries', 'stream=codec_type,width,height', '-of', 'json', url], { timeout: 30_000 });
  return (JSON.parse(stdout) as { streams: { codec_type: string; width?: number; height?: number }[] }).streams;
}

describe.skipIf(!support.ok)('a cluster of two Axon nodes on hosts of their own', () => {
  let cluster: ClusterLan;
  let sql: pg.Client;
  let a: AxonProcess;
  let b: AxonProcess | undefined;
  let nginx: Nginx | undefined;
  const publishers: FfmpegRtmpPublisher[] = [];
  const clients: WrtcClient[] = [];
  const sockets: ChatSocket[] = [];
  /** The livestream created through B and published to A. */
  let ls: Livestream;

  const startA = () => cluster.start(0, { AXON_MAX_BROADCASTS: '1' });
  const create = async (node: AxonProcess, name: string) => {
    const response = await fetch(`${node.base}/api/livestreams`, { method: 'POST', headers: auth, body: JSON.stringify({ name }) });
    expect(response.status).toBe(201);
    return (await response.json()) as Livestream;
  };
  const onApi = async (node: AxonProcess, id: string) => (await (await fetch(`${node.base}/api/livestreams/${id}`)).json()) as PublicLivestream;
  const publishRtmp = (node: AxonProcess, key: string) => {
    const publisher = new FfmpegRtmpPublisher({ url: `rtmp://${new URL(node.base).hostname}:${node.rtmpPort}/live/${key}`, width: 640, height: 360 });
    publishers.push(publisher);
    return publisher;
  };
  /** Whether the node answers the path from its own files: the hop header of a node, at its most, keeps it from passing the request on. */
  const servesItself = async (node: AxonProcess, path: string) => {
    const url = `${node.base}${path}`;
    return (await fetch(url, { headers: await asClusterNode(cluster.redisUrl, 'GET', url, 2) })).status === 200;
  };
  /**
   * Whether each rendition playlist of the master, read through `node`, lists a whole segment: what a
   * standard reader such as ffprobe needs. The broadcast is live from its first part; a plain playlist
   * request is held at most 6 s for the first segment, which a machine busy with the suite can miss (two
   * full runs saw ffprobe find no video at go-live).
   */
  const listsWholeSegments = async (node: AxonProcess, id: string) => {
    const masterUrl = `${node.base}${manifestPath(id, 'hls')}`;
    const master = await (await fetch(masterUrl)).text();
    const renditions = [...master.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!).concat(master.split('\n').filter((line) => line !== '' && !line.startsWith('#')));
    for (const rendition of renditions) {
      const res = await fetch(new URL(rendition, masterUrl));
      if (!res.ok || !(await res.text()).includes('#EXTINF')) return false;
    }
    return renditions.length > 0;
  };
  const withOutput = (check: () => Promise<void>) => withNodeOutput(() => ({ A: a, B: b }), check);

  beforeAll(async () => {
    cluster = await createClusterLan({ nodes: 2, token: TOKEN });
    sql = new pg.Client({ connectionString: cluster.databaseUrl });
    await sql.connect();
    a = await startA();
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const client of clients) await client.kill();
    for (const publisher of publishers) await publisher.kill();
    await nginx?.stop();
    await sql?.end();
    await cluster?.close();
  }, 60_000);

  it('a second node started against the database a first one serves applies no migration twice and loses nothing', async () => {
    const before = await create(a, 'Made before B');
    const migrations = async () => (await sql.query<{ version: number; name: string; applied_at: Date }>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')).rows;
    const applied = await migrations();
    expect(applied.length).toBeGreaterThan(0);

    b = await cluster.start(1);
    expect(await migrations()).toEqual(applied);
    const listed = (await (await fetch(`${b.base}/api/livestreams`, { headers: auth })).json()) as { items: Livestream[] };
    expect(listed.items.map((l) => l.id)).toContain(before.id);
    expect((await onApi(a, before.id)).name).toBe('Made before B');
  });

  it('a livestream created through B and published to A over RTMP is live from B, which plays its HLS and DASH', async () => {
    await withOutput(async () => {
      ls = await create(b!, 'Through B, on A');
      publishRtmp(a, ls.streamKey);
      await waitFor('the broadcast on A to be live, as B tells it', async () => (await onApi(b!, ls.id)).status === 'live', 60_000);
      expect(await servesItself(a, manifestPath(ls.id, 'hls'))).toBe(true);
      expect(await servesItself(b!, manifestPath(ls.id, 'hls'))).toBe(false);

      await waitFor('every rendition playlist through B to list a whole segment', () => listsWholeSegments(b!, ls.id), 30_000);
      for (const format of ['hls', 'dash'] as const) {
        const streams = await probe(`${b!.base}${manifestPath(ls.id, format)}`);
        // The ladder's rungs: 144p and, for this 640x360 source, the source size passed through.
        expect(streams.filter((s) => s.codec_type === 'video').map((s) => s.height), format).toContain(144);
        expect(streams.some((s) => s.codec_type === 'audio'), format).toBe(true);
      }
    });
  }, 120_000);

  it('an nginx edge in front of both nodes plays the broadcast and answers a second request from its cache', async () => {
    const port = await freePort();
    nginx = await startNginx({
      workers: 1,
      http: (prefix) => readClusterEdgeConfig({ cacheDir: path.join(prefix, 'cache'), listen: `127.0.0.1:${port}`, nodes: [a, b!].map((node) => new URL(node.base).host) }),
      ports: [port],
    });
    const edge = `http://127.0.0.1:${port}`;
    const playlist = await fetch(`${edge}/live/${ls.id}/144p.m3u8`);
    expect(playlist.status).toBe(200);
    const segment = (await playlist.text()).split('\n').find((line) => line.endsWith('.m4s') && !line.startsWith('#'));
    expect(segment).toBeDefined();
    const url = new URL(segment!, `${edge}/live/${ls.id}/144p.m3u8`).href;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const second = await fetch(url);
    expect(second.headers.get('x-cache-status')).toBe('HIT');
    expect(Buffer.from(await second.arrayBuffer()).subarray(4, 8).toString('latin1')).toMatch(/styp|moof/);
    expect((await probe(`${edge}${manifestPath(ls.id, 'hls')}`)).some((s) => s.codec_type === 'video')).toBe(true);
  }, 60_000);

  it('chat and the viewer count cross nodes', async () => {
    const [onA, onB] = await Promise.all([connectChat(a.base), connectChat(b!.base)]);
    sockets.push(onA, onB);
    const countsOnA = record<ViewerCount>(onA, ChatEvents.viewers);
    const received = record<ChatMessage>(onB, ChatEvents.message);
    expect((await ask<ChatJoinResponse>(onA, ChatEvents.join, { livestreamId: ls.id, name: 'Ann' })).ok).toBe(true);
    expect((await ask<ChatJoinResponse>(onB, ChatEvents.join, { livestreamId: ls.id, name: 'Bob' })).ok).toBe(true);
    expect((await ask(onA, ChatEvents.send, { text: 'hello from A' })).ok).toBe(true);
    await waitFor('the message sent on A to reach B', () => received.find((m) => m.text === 'hello from A'));
    await waitFor('A to count the viewer on B', () => countsOnA.some((c) => c.count === 2));
    await waitFor('both nodes to answer two viewers', async () => (await onApi(a, ls.id)).viewers === 2 && (await onApi(b!, ls.id)).viewers === 2);
  });

  it('a WHIP publish sent to A while A is full goes live on B', async () => {
    await withOutput(async () => {
      const other = await create(a, 'WHIP, placed');
      // A passes the offer to B and relays B's answer, whose Location names B's session.
      const client = WrtcClient.publish(`${a.base}/whip/${other.id}`, other.streamKey, '--no-audio');
      clients.push(client);
      const answered = await client.waitFor('the publish to be answered', (e) => e.event === 'answered');
      expect(answered.location?.startsWith(`${b!.base}/whip/${other.id}/sessions/`)).toBe(true);
      await client.waitFor('the publisher to connect', (e) => e.event === 'connection' && e.state === 'connected');
      await waitFor('the WHIP broadcast to be live, as A tells it', async () => (await onApi(a, other.id)).status === 'live', 60_000);
      expect(await servesItself(b!, manifestPath(other.id, 'hls'))).toBe(true);
      expect(await servesItself(a, manifestPath(other.id, 'hls'))).toBe(false);
      // Its ladder would only slow the rest down on this machine's two cores.
      await client.kill();
      await waitFor('the WHIP broadcast to end', async () => (await onApi(a, other.id)).status === 'offline');
    });
  }, 90_000);

  it('killing A mid-broadcast: offline from B within 15 s, and the same key goes live on B', async () => {
    await withOutput(async () => {
      const killedAt = Date.now();
      await a.kill();
      await waitFor('B to see the broadcast offline', async () => (await onApi(b!, ls.id)).status === 'offline', 15_000);
      expect(Date.now() - killedAt).toBeLessThan(15_000);
      for (const publisher of publishers.splice(0)) await publisher.kill();
      publishRtmp(b!, ls.streamKey);
      await waitFor('the same key to go live on B', async () => (await onApi(b!, ls.id)).status === 'live', 60_000);
      expect(await servesItself(b!, manifestPath(ls.id, 'hls'))).toBe(true);
    });
  }, 120_000);

  it('after A restarts while B broadcasts the livestream, A finishes its interrupted recording, which replays through B and is deleted through B', async () => {
    await withOutput(async () => {
      a = await startA();
      expect((await onApi(a, ls.id)).status).toBe('live');
      const interrupted = async (node: AxonProcess) => {
        const list = (await (await fetch(`${node.base}/api/livestreams/${ls.id}/recordings`)).json()) as RecordingList;
        return list.items.find((r) => r.status === 'interrupted');
      };
      const recording = await waitFor('the interrupted recording to be listed from B', () => interrupted(b!), 30_000);
      expect(recording.duration).toBeGreaterThan(0);
      expect((await interrupted(a))?.id).toBe(recording.id);
      expect(await servesItself(a, manifestPath(ls.id, 'hls', recording.id))).toBe(true);
      expect((await probe(`${a.base}${manifestPath(ls.id, 'hls', recording.id)}`)).some((s) => s.codec_type === 'video')).toBe(true);

      // B holds none of its files: it passes the replay on to A, while live itself and after.
      expect(await servesItself(b!, manifestPath(ls.id, 'hls', recording.id))).toBe(false);
      const replaySegmentThroughB = async () => {
        const playlistUrl = `${b!.base}/live/${ls.id}/${recording.id}/144p.m3u8`;
        const playlist = await fetch(playlistUrl);
        expect(playlist.status).toBe(200);
        const text = await playlist.text();
        expect(text).toContain('#EXT-X-ENDLIST');
        const segment = text.split('\n').find((line) => line.endsWith('.m4s') && !line.startsWith('#'));
        const answer = await fetch(new URL(segment!, playlistUrl));
        expect(answer.status).toBe(200);
        expect(Buffer.from(await answer.arrayBuffer()).subarray(4, 8).toString('latin1')).toMatch(/styp|moof/);
      };
      await replaySegmentThroughB();
      for (const publisher of publishers.splice(0)) await publisher.kill();
      await waitFor('the broadcast on B to end', async () => (await onApi(b!, ls.id)).status === 'offline');
      await replaySegmentThroughB();

      const deleted = await fetch(`${b!.base}/api/livestreams/${ls.id}/recordings/${recording.id}`, { method: 'DELETE', headers: { authorization: auth.authorization } });
      expect(deleted.status).toBe(204);
      expect(await interrupted(a)).toBeUndefined();
      expect((await fetch(`${a.base}${manifestPath(ls.id, 'hls', recording.id)}`)).status).toBe(404);
    });
  }, 120_000);
});
