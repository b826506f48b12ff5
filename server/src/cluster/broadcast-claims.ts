import type { LivestreamStatus } from '../../../shared/livestream.js';

/** Another node's hold on a livestream: who broadcasts it, where it is reached, whether players can start. */
export interface BroadcastHost {
  readonly nodeId: string;
  /** Its AXON_NODE_URL; undefined when the holder is only known as a process on this data directory. */
  readonly url: string | undefined;
  readonly playable: boolean;
}

/**
 * Which node broadcasts each livestream, shared by every node: one holder at a time. Embedded, processes
 * sharing AXON_DATA_DIR keep it in SQLite (store/live-claims.ts); in a cluster (REDIS_URL) it is an expiring
 * lease in Redis (cluster/redis-leases.ts) that a dead node loses within seconds.
 */
export interface BroadcastClaims {
  /** Takes the livestream for this node; false when another node holds it. */
  claim(livestreamId: string): Promise<boolean>;
  /** Tells the other nodes that this node's broadcast of the livestream is playable. */
  markPlayable(livestreamId: string): Promise<void>;
  /** Gives back this node's claim (another node's claim is left alone). */
  release(livestreamId: string): Promise<void>;
  /** The other node holding the livestream; undefined when none does (or this node does). */
  hostOf(livestreamId: string): Promise<BroadcastHost | undefined>;
  /**
   * Called with a livestream this node held and no longer does (its lease went to another node, or could
   * not be renewed in time): its broadcast must end, so that two nodes never run it at once.
   */
  onLost(listener: (livestreamId: string) => void): void;
}

/** The livestream's status as its host elsewhere tells it. */
export function hostStatus(host: BroadcastHost | undefined): Exclude<LivestreamStatus, 'offline'> | undefined {
  if (!host) return undefined;
  return host.playable ? 'live' : 'starting';
}
