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

/**
 * Takes the livestream for a publisher whose key was accepted. Throws what registry.reserve() throws
 * (AlreadyLiveError, AtCapacityError) unless a dropped publisher's broadcast waits for it.
 */
export function holdLivestream(registry: SessionRegistry, livestreamId: string): PublisherHold {
  const session = registry.get(livestreamId);
  const ingest = session?.ingest;
  if (session && ingest instanceof WebRtcIngest && ingest.claim()) {
    return {
      livestreamId,
      resuming: ingest,
      start: (connected) => {
        if (connected !== ingest) throw new Error('a returning publisher continues its own broadcast');
        return session;
      },
      release: () => ingest.unclaim(),
    };
  }
  return { ...registry.reserve(livestreamId), resuming: undefined };
}
