import { afterAll, describe, expect, it } from 'vitest';
import type { Livestream, PublicLivestream } from '../../shared/livestream.js';
import type { Recording, RecordingList } from '../../shared/recording.js';
import type { AxonProcess } from './fixtures/axon-process.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { withNodeOutput } from './fixtures/node-output.js';
import { twoNodes } from './fixtures/two-nodes.js';
import { waitFor } from './fixtures/wait-for.js';

/**
 * Thumbnails in a cluster: two nodes on 127.0.0.1 sharing PostgreSQL and Redis, each with its own data
 * directory. The pictures are on the disk of the node that broadcasts, yet both nodes give the same
 * thumbnail URLs, and B serves them (from A).
 */

const TOKEN = 'cluster-thumbs-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const nodes = twoNodes({ token: TOKEN, name: 'thumbs', rtcMinPort: 47400 });

/** A URL a node gave, without that node's public URL (each node's is its own address here). */
const pathOf = (url: string | null) => url && url.slice(new URL(url).origin.length);

describe('thumbnails of a broadcast on one of two Axon nodes', () => {
  let publisher: FfmpegRtmpPublisher | undefined;

  const livestreamOn = async (node: AxonProcess, id: string) => (await (await fetch(`${node.base}/api/livestreams/${id}`)).json()) as PublicLivestream;
  const recordingsOn = async (node: AxonProcess, id: string) =>
    ((await (await fetch(`${node.base}/api/livestreams/${id}/recordings`)).json()) as RecordingList).items;
  /** The thumbnail path both nodes give at the same moment (a newer picture may come between two asks). */
  const samePathOnBoth = async (thumbnailOf: (node: AxonProcess) => Promise<string | null>) =>
    waitFor('both nodes to give the same thumbnail', async () => {
      const [onA, onB] = [pathOf(await thumbnailOf(nodes.a)), pathOf(await thumbnailOf(nodes.b))];
      return onA !== null && onA === onB ? onB : undefined;
    }, 60_000);
  const expectJpegFromB = async (path: string) => {
    const res = await fetch(`${nodes.b.base}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect([...Buffer.from(await res.arrayBuffer()).subarray(0, 2)]).toEqual([0xff, 0xd8]);
  };

  afterAll(async () => {
    await publisher?.kill();
  });

  it('gives the same thumbnail URL on the node that does not host the broadcast, live and recorded, and serves the picture there', async () => {
    const { a, b } = nodes;
    await withNodeOutput(() => ({ A: a, B: b }), async () => {
      const created = await fetch(`${b.base}/api/livestreams`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Pictured', record: true }) });
      const ls = (await created.json()) as Livestream;
      expect(ls.thumbnailUrl).toBeNull();
      publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${a.rtmpPort}/live/${ls.streamKey}`, width: 320, height: 180 });

      const live = await samePathOnBoth(async (node) => (await livestreamOn(node, ls.id)).thumbnailUrl);
      expect(live.startsWith(`/live/${ls.id}/thumbnail.jpg?v=`)).toBe(true);
      expect((await livestreamOn(b, ls.id)).status).toBe('live');
      await expectJpegFromB(live);

      await publisher.kill();
      await waitFor('the broadcast to end', async () => (await livestreamOn(b, ls.id)).status === 'offline', 30_000);
      const recordedOn = async (node: AxonProcess) => {
        const [recording]: (Recording | undefined)[] = await recordingsOn(node, ls.id);
        return recording?.thumbnailUrl ?? null;
      };
      const recorded = await samePathOnBoth(recordedOn);
      expect(recorded).toMatch(new RegExp(`^/live/${ls.id}/b[0-9a-z]+/thumbnail\\.jpg\\?v=`));
      await expectJpegFromB(recorded);
      // The last picture of the broadcast stays the livestream's, the same on both nodes.
      expect(pathOf((await livestreamOn(b, ls.id)).thumbnailUrl)).toBe(pathOf((await livestreamOn(a, ls.id)).thumbnailUrl));
    });
  }, 180_000);
});
