import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { BroadcastClaims, BroadcastHost } from './broadcast-claims.js';
import type { ClusterNode } from './node-identity.js';

export interface LeaseTiming {
  /** How long a lease outlives its last renewal: a dead node's broadcasts are offline everywhere after it. */
  ttlMs: number;
  renewEveryMs: number;
}

/** A dead node's leases are gone within 8 s; three renewals fit in that time, so one slow round trip loses nothing. */
export const LEASE_TIMING: LeaseTiming = { ttlMs: 8000, renewEveryMs: 2500 };

const KEY_PREFIX = 'axon:lease:';

/**
 * A lease's value: `<nodeId> <playable 0|1> <nodeUrl>`. The node id comes first, so the scripts compare a
 * prefix; neither the id (hex) nor the URL (validated) holds a space.
 */
const leaseValue = (node: ClusterNode, playable: boolean) => `${node.id} ${playable ? 1 : 0} ${node.url}`;

function parseLease(value: string): BroadcastHost | undefined {
  const [nodeId, playable, url] = value.split(' ');
  if (!nodeId || !url) return undefined;
  return { nodeId, url, playable: playable === '1' };
}

/** Taken when free or already this node's (a node restarted with the same id takes its own back). */
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1] + 1) ~= ARGV[1] .. ' ' then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

/**
 * Renews each of this node's leases; one that expired meanwhile with nobody taking it (a Redis restart, a
 * stall) is taken again. Answers the keys another node holds now.
 */
const RENEW = `
local lost = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if not v then redis.call('SET', key, ARGV[i + 2], 'PX', ARGV[2])
  elseif string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then redis.call('PEXPIRE', key, ARGV[2])
  else lost[#lost + 1] = key end
end
return lost`;

/** Sets the value (the playable flag) of a lease this node holds, keeping its expiry. */
const UPDATE = `
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, #ARGV[1] + 1) ~= ARGV[1] .. ' ' then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

const RELEASE = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then return redis.call('DEL', KEYS[1]) end
return 0`;

interface LeaseCommands {
  axonLeaseClaim(key: string, nodeId: string, value: string, ttlMs: number): Promise<number>;
  axonLeaseRenew(...keysThenArgs: Array<string | number>): Promise<string[]>;
  axonLeaseUpdate(key: string, nodeId: string, value: string): Promise<number>;
  axonLeaseRelease(key: string, nodeId: string): Promise<number>;
}

/**
 * Broadcast claims as expiring Redis leases, for nodes that share nothing but Redis: `SET NX PX` semantics
 * in Lua (take, compare-and-renew, compare-and-delete), renewed for every held lease in one round trip.
 * A node that cannot renew within the lease's lifetime, or finds another node holding it, gives the
 * broadcast up (onLost): the lease may be someone else's by then, and two nodes must not run one broadcast.
 */
export class RedisLeases implements BroadcastClaims {
  /** Livestreams this node holds, with whether each is playable (the value a vanished lease is taken again with). */
  private readonly held = new Map<string, boolean>();
  private readonly lostListeners: Array<(livestreamId: string) => void> = [];
  private readonly redis: Redis & LeaseCommands;
  private readonly timer: NodeJS.Timeout;
  /** Renewals and releases in order, so that a renewal already on its way cannot bring back a released lease. */
  private queue: Promise<unknown> = Promise.resolve();
  private lastRenewed = Date.now();

  constructor(
    redis: Redis,
    private readonly node: ClusterNode,
    private readonly log: Logger,
    private readonly timing: LeaseTiming = LEASE_TIMING,
  ) {
    redis.defineCommand('axonLeaseClaim', { numberOfKeys: 1, lua: CLAIM });
    redis.defineCommand('axonLeaseRenew', { lua: RENEW });
    redis.defineCommand('axonLeaseUpdate', { numberOfKeys: 1, lua: UPDATE });
    redis.defineCommand('axonLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as Redis & LeaseCommands;
    this.timer = setInterval(() => void this.renew(), timing.renewEveryMs);
    this.timer.unref();
  }

  async claim(livestreamId: string): Promise<boolean> {
    const taken = await this.redis.axonLeaseClaim(KEY_PREFIX + livestreamId, this.node.id, leaseValue(this.node, false), this.timing.ttlMs);
    if (taken === 1) this.held.set(livestreamId, false);
    return taken === 1;
  }

  async markPlayable(livestreamId: string): Promise<void> {
    if (!this.held.has(livestreamId)) return;
    this.held.set(livestreamId, true);
    await this.redis.axonLeaseUpdate(KEY_PREFIX + livestreamId, this.node.id, leaseValue(this.node, true)).catch((err: unknown) => {
      // The next renewal carries it if the lease has to be taken again; otherwise other nodes see `starting` a while longer.
      this.log.warn('could not mark a lease playable', { livestream: livestreamId, err });
    });
  }

  release(livestreamId: string): Promise<void> {
    if (!this.held.delete(livestreamId)) return Promise.resolve();
    return this.inOrder(async () => {
      // A failure leaves the lease to expire on its own.
      await this.redis.axonLeaseRelease(KEY_PREFIX + livestreamId, this.node.id).catch((err: unknown) => {
        this.log.warn('could not release a lease; it expires by itself', { livestream: livestreamId, err });
      });
    });
  }

  async hostOf(livestreamId: string): Promise<BroadcastHost | undefined> {
    const value = await this.redis.get(KEY_PREFIX + livestreamId);
    const host = value === null ? undefined : parseLease(value);
    return host?.nodeId === this.node.id ? undefined : host;
  }

  onLost(listener: (livestreamId: string) => void): void {
    this.lostListeners.push(listener);
  }

  /** Stops renewing, once the releases on their way are done: what this node still holds expires by itself. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.queue;
  }

  /** Renews every held lease now; called on a timer, public for tests. */
  renew(): Promise<void> {
    return this.inOrder(async () => {
      const ids = [...this.held.keys()];
      const startedAt = Date.now();
      if (ids.length === 0) {
        this.lastRenewed = startedAt;
        return;
      }
      const values = ids.map((id) => leaseValue(this.node, this.held.get(id) ?? false));
      try {
        const lost = await this.redis.axonLeaseRenew(ids.length, ...ids.map((id) => KEY_PREFIX + id), this.node.id, this.timing.ttlMs, ...values);
        this.lastRenewed = startedAt;
        for (const key of lost) this.lose(key.slice(KEY_PREFIX.length), 'another node holds its lease');
      } catch (err) {
        if (Date.now() - this.lastRenewed < this.timing.ttlMs) {
          this.log.warn('could not renew leases; trying again', { err });
          return;
        }
        // Past the lifetime, the leases may be another node's already.
        for (const id of ids) this.lose(id, `its lease could not be renewed for ${this.timing.ttlMs / 1000} s`);
      }
    });
  }

  private lose(livestreamId: string, why: string): void {
    if (!this.held.delete(livestreamId)) return;
    this.log.warn(`broadcast given up: ${why}`, { livestream: livestreamId });
    for (const listener of this.lostListeners) listener(livestreamId);
  }

  private inOrder(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
