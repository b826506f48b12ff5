import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STUDIO_NAMESPACE } from '../../shared/constants.js';
import type { Livestream, PublicLivestream } from '../../shared/livestream.js';
import { PublishEvents } from '../../shared/signalling.js';
import { startAxon, type AxonProcess } from './fixtures/axon-process.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { withNodeOutput } from './fixtures/node-output.js';
import { startRedisServer, type RedisServer } from './fixtures/redis-server.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

/**
 * Cluster mode: a real redis-server and two real Axon nodes. They share the SQLite store (one
 * AXON_DATA_DIR, until PostgreSQL) but not their media (each its own AXON_MEDIA_DIR), so what B serves of
 * A's broadcast can only come from A.
 */

const TOKEN = 'cluster-test-token-0123456789';
const tempDir = tempDirs();
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

describe('two Axon nodes sharing Redis', () => {
  let redis: RedisServer;
  let a: AxonProcess;
  let b: AxonProcess;
  const publishers: FfmpegRtmpPublisher[] = [];

  const create = async (name: string) => {
    const response = await fetch(`${a.base}/api/livestreams`, { method: 'POST', headers: auth, body: JSON.stringify({ name, record: false }) });
    expect(response.status).toBe(201);
    return (await response.json()) as Livestream;
  };
  const statusOn = async (node: AxonProcess, id: string) => ((await (await fetch(`${node.base}/api/livestreams/${id}`)).json()) as PublicLivestream).status;
  const publish = (node: AxonProcess, key: string) => {
    const publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${node.rtmpPort}/live/${key}`, width: 320, height: 180 });
    publishers.push(publisher);
    return publisher;
  };
  const withOutput = (run: () => Promise<void>) => withNodeOutput(() => ({ A: a, B: b }), run);

  beforeAll(async () => {
    redis = await startRedisServer();
    const dataDir = tempDir('axon-cluster-');
    const common = { REDIS_URL: redis.url, AXON_LOG_LEVEL: 'warn', AXON_RECONNECT_WINDOW_S: '0' };
    // One after the other: the first start creates and migrates the shared database.
    a = await startAxon(dataDir, TOKEN, { ...common, AXON_MEDIA_DIR: tempDir('axon-media-a-'), AXON_MAX_BROADCASTS: '1', RTC_MIN_PORT: '47000', RTC_MAX_PORT: '47099' });
    b = await startAxon(dataDir, TOKEN, { ...common, AXON_MEDIA_DIR: tempDir('axon-media-b-'), RTC_MIN_PORT: '47100', RTC_MAX_PORT: '47199' });
  }, 150_000);

  afterAll(async () => {
    for (const publisher of publishers) await publisher.kill();
    await a?.kill();
    await b?.kill();
    await redis?.stop();
  });

  it('serves a broadcast of one node from the other, sends publishers where there is room, and frees the livestreams of a dead node', async () => {
    await withOutput(async () => {
      const ls = await create('On A');
      const other = await create('Placed');
      publish(a, ls.streamKey);
      await waitFor('the broadcast on A to be live, as B tells it', async () => (await statusOn(b, ls.id)) === 'live', 60_000);
      expect(await statusOn(a, ls.id)).toBe('live');

      // B has none of A's files: what it answers under /live is A's answer, passed through.
      const master = await fetch(`${b.base}/live/${ls.id}/master.m3u8`);
      expect(master.status).toBe(200);
      expect(master.headers.get('content-type')).toMatch(/mpegurl/);
      expect(master.headers.get('etag')).toBeTruthy();
      expect(await master.text()).toContain('#EXTM3U');
      const playlist = await (await fetch(`${b.base}/live/${ls.id}/144p.m3u8`)).text();
      const segment = playlist.split('\n').find((line) => line.endsWith('.m4s') && !line.startsWith('#'));
      expect(segment, playlist).toBeDefined();
      const segmentUrl = new URL(segment!, `${b.base}/live/${ls.id}/144p.m3u8`).href;
      const whole = await fetch(segmentUrl);
      expect(whole.status).toBe(200);
      const bytes = Buffer.from(await whole.arrayBuffer());
      expect(Number(whole.headers.get('content-length'))).toBe(bytes.length);
      expect(bytes.subarray(4, 8).toString('latin1')).toMatch(/styp|moof/);
      const ranged = await fetch(segmentUrl, { headers: { range: 'bytes=0-7' } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer())).toEqual(bytes.subarray(0, 8));
      const revalidated = await fetch(segmentUrl, { headers: { 'if-none-match': whole.headers.get('etag')! } });
      expect(revalidated.status).toBe(304);

      // WHEP on B: the broadcast's media is in A's SFU.
      const whep = await fetch(`${b.base}/whep/${ls.id}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n', redirect: 'manual' });
      expect(whep.status).toBe(307);
      expect(whep.headers.get('location')).toBe(`${a.base}/whep/${ls.id}`);

      // A holds AXON_MAX_BROADCASTS=1: a studio there is told where to continue (WHIP placement: cluster-hosts.test.ts).
      const studio = connectSocket(`${a.base}${STUDIO_NAMESPACE}`, { transports: ['websocket'], reconnection: false });
      try {
        const refused: unknown = await studio.timeout(10_000).emitWithAck(PublishEvents.join, { livestreamId: other.id, streamKey: other.streamKey });
        expect(refused).toMatchObject({ ok: false, code: 'moved', nodeUrl: b.base });
      } finally {
        studio.close();
      }

      // A dies: within 15 s its broadcast is offline everywhere, and its encoder can go live on B.
      const killedAt = Date.now();
      await a.kill();
      await waitFor('B to see the broadcast offline', async () => (await statusOn(b, ls.id)) === 'offline', 15_000);
      expect(Date.now() - killedAt).toBeLessThan(15_000);
      publish(b, ls.streamKey);
      await waitFor('the same key to go live on B', async () => (await statusOn(b, ls.id)) === 'live', 60_000);
      expect((await fetch(`${b.base}/live/${ls.id}/master.m3u8`)).status).toBe(200);
    });
  }, 240_000);
});
