import { WrtcClient } from '../../server/test/fixtures/webrtc-http-server.js';
import type { AxonServer } from './axon-server.js';
import { waitForIdle } from './broadcast-snapshot.js';
import { SMALL_TEST_STREAM } from './test-stream.js';

/** Where each of a series of WHIP publishes went: the node whose session its answer's Location names, or refused. */
export interface PlacementSplit {
  /** By node base URL. */
  placed: Map<string, number>;
  refused: number;
}

/**
 * Sends `count` WHIP publishes, one after the other, each to `entry` (a wrtc client sending 640x360 VP8),
 * and counts the node each one's session was placed on. One after the other: a node counts a publish as
 * soon as it answers it, so the next one finds it as full as it is. Then ends them all (DELETE of each
 * session, as a WHIP client stopping cleanly) and waits until every node is idle again.
 */
export async function placeWhipPublishes(entry: AxonServer, nodes: readonly AxonServer[], count: number): Promise<PlacementSplit> {
  const split: PlacementSplit = { placed: new Map(nodes.map((n) => [n.baseUrl, 0])), refused: 0 };
  const clients: WrtcClient[] = [];
  const sessions: { url: string; key: string }[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      const livestream = await entry.createLivestream(`bench placement ${i}`);
      const size = `${SMALL_TEST_STREAM.width}x${SMALL_TEST_STREAM.height}`;
      const whipUrl = `${entry.baseUrl}/whip/${livestream.id}`;
      const client = WrtcClient.publish(whipUrl, livestream.streamKey, '--size', size, '--fps', '15', '--no-audio');
      clients.push(client);
      const outcome = await client.waitFor('the WHIP publish to be answered', (e) => e.event === 'answered' || e.event === 'refused');
      if (outcome.event === 'refused' || !outcome.location) {
        split.refused++;
        continue;
      }
      // The entry node names its own sessions by path; a placed one is named on the node that took it.
      const session = new URL(outcome.location, whipUrl).href;
      const node = nodes.find((n) => session.startsWith(`${n.baseUrl}/`));
      if (!node) throw new Error(`a WHIP session on no node of the cluster: ${session}`);
      split.placed.set(node.baseUrl, split.placed.get(node.baseUrl)! + 1);
      sessions.push({ url: session, key: livestream.streamKey });
    }
  } finally {
    for (const s of sessions) await fetch(s.url, { method: 'DELETE', headers: { authorization: `Bearer ${s.key}` } }).catch(() => undefined);
    for (const client of clients) await client.kill();
  }
  for (const node of nodes) await waitForIdle(node);
  return split;
}
