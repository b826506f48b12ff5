import { afterAll, describe, expect, it } from 'vitest';
import type { Livestream, PublicLivestream } from '../../shared/livestream.js';
import { manifestPath } from '../../shared/public-paths.js';
import type { RecordingList } from '../../shared/recording.js';
import { HOP_HEADER } from '../src/cluster/hop-header.js';
import type { AxonProcess } from './fixtures/axon-process.js';
import { asClusterNode } from './fixtures/cluster-node-hop.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { withNodeOutput } from './fixtures/node-output.js';
import { twoNodes } from './fixtures/two-nodes.js';
import { waitFor } from './fixtures/wait-for.js';

/**
 * The hop header (`x-axon-hop`) from a client: two nodes on 127.0.0.1 sharing PostgreSQL and Redis, each with
 * its own data directory. A node takes the header only from another node; a client sending it is served as
 * any client, so it cannot make a node skip the proxy to the hosting node or delete a recording's row
 * without its files.
 */

const TOKEN = 'cluster-hop-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const nodes = twoNodes({ token: TOKEN, name: 'hop', rtcMinPort: 47200 });

describe('the hop header between two Axon nodes', () => {
  let publisher: FfmpegRtmpPublisher | undefined;

  const statusOn = async (node: AxonProcess, id: string) => ((await (await fetch(`${node.base}/api/livestreams/${id}`)).json()) as PublicLivestream).status;

  afterAll(async () => {
    await publisher?.kill();
  });

  it('a client sending the header is still proxied to the hosting node, and its DELETE of a recording still reaches the node holding the files', async () => {
    const { a, b, redis } = nodes;
    await withNodeOutput(() => ({ A: a, B: b }), async () => {
      const created = await fetch(`${b.base}/api/livestreams`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Hop', record: true }) });
      const ls = (await created.json()) as Livestream;
      publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${a.rtmpPort}/live/${ls.streamKey}`, width: 320, height: 180 });
      await waitFor('the broadcast on A to be live, as B tells it', async () => (await statusOn(b, ls.id)) === 'live', 60_000);

      // B holds none of the broadcast's files: a 200 from B is A's answer, passed through.
      const master = `${b.base}${manifestPath(ls.id, 'hls')}`;
      for (const forged of ['1', '2', 'anything']) {
        const answer = await fetch(master, { headers: { [HOP_HEADER]: forged } });
        expect(answer.status, forged).toBe(200);
        expect(await answer.text()).toContain('#EXTM3U');
      }
      // The same request from a node of the cluster is answered by B from its own files.
      expect((await fetch(master, { headers: await asClusterNode(redis.url, 'GET', master, 1) })).status).toBe(404);

      await publisher.kill();
      await waitFor('the broadcast to end', async () => (await statusOn(b, ls.id)) === 'offline', 30_000);
      const list = async () => ((await (await fetch(`${b.base}/api/livestreams/${ls.id}/recordings`)).json()) as RecordingList).items;
      const [recording] = await waitFor('the recording to be listed', async () => ((await list()).length === 1 ? list() : undefined), 30_000);
      const onA = `${a.base}${manifestPath(ls.id, 'hls', recording!.id)}`;
      expect((await fetch(onA)).status).toBe(200);

      // Claiming to be the last pass would have had B delete the row and leave A's files behind.
      const deleted = await fetch(`${b.base}/api/livestreams/${ls.id}/recordings/${recording!.id}`, {
        method: 'DELETE',
        headers: { authorization: auth.authorization, [HOP_HEADER]: '2' },
      });
      expect(deleted.status).toBe(204);
      expect(await list()).toEqual([]);
      expect((await fetch(onA)).status).toBe(404);
    });
  }, 180_000);
});
