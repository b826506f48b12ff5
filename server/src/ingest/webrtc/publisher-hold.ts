import { PlacedElsewhereError, type IngestPlacement } from '../../cluster/ingest-placement.js';
import type { Reservation, SessionRegistry } from '../../session/session-registry.js';
import { WebRtcIngest } from './webrtc-ingest.js';

/**
 * What a WebRTC publisher (studio or WHIP) holds its livestream by, from its key check on: a new
 * broadcast's reservation, or, within the reconnect window of a broadcast whose WebRTC publisher dropped,
 * that broadcast, which this publisher continues.
 */
export interface PublisherHold extends Reservation {
  /** The ingest of the broadcast this publisher continues; undefined when it starts a new one. */
  readonly resuming: WebRtcIngest | undefined;
}

/** The ingest of this node's broadcast of the livestream when it waits for its dropped WebRTC publisher. */
function waitingIngest(registry: SessionRegistry, livestreamId: string): WebRtcIngest | undefined {
  const ingest = registry.get(livestreamId)?.ingest;
  return ingest instanceof WebRtcIngest && ingest.awaitsPublisher ? ingest : undefined;
}

/** Whether a publish of the livestream here would continue a broadcast that waits for its publisher. */
export const resumesHere = (registry: SessionRegistry, livestreamId: string) => waitingIngest(registry, livestreamId) !== undefined;

/**
 * Takes the livestream for a publisher whose key was accepted: the broadcast that waits for it if a
 * dropped publisher's does, else a new reservation. Throws PlacedElsewhereError when `placement` (a cluster)
 * sends new publishes to another node, and what registry.reserve() throws (AlreadyLiveError, AtCapacityError).
 */
export async function holdLivestream(registry: SessionRegistry, livestreamId: string, placement?: IngestPlacement): Promise<PublisherHold> {
  const session = registry.get(livestreamId);
  const ingest = waitingIngest(registry, livestreamId);
  if (session && ingest?.claim()) {
    return {
      livestreamId,
      resuming: ingest,
      start: async (connected) => {
        if (connected !== ingest) throw new Error('a returning publisher continues its own broadcast');
        return session;
      },
      release: () => ingest.unclaim(),
    };
  }
  // A returning publisher stays where its broadcast is; only a new one is placed.
  const elsewhere = await placement?.elsewhere();
  if (elsewhere !== undefined) throw new PlacedElsewhereError(elsewhere);
  return { ...(await registry.reserve(livestreamId)), resuming: undefined };
}
