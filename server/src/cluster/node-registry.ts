import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { ClusterNode } from './node-identity.js';
import { leastLoaded, SpeedWindow, type NodeLoad } from './node-load.js';

export interface HeartbeatTiming {
  /** A node whose heartbeats stop leaves the registry after this. */
  ttlMs: number;
  everyMs: number;
}

export const HEARTBEAT_TIMING: HeartbeatTiming = { ttlMs: 8000, everyMs: 2500 };

/** What this node reports of itself at each heartbeat. */
export interface LocalLoad {
  broadcasts: number;
  maxBroadcasts: number;
  /** The FFmpeg speed of each broadcast reporting one. */
  speeds: number[];
}

const KEY_PREFIX = 'axon:node:';

/** Another node's entry is read back from Redis: anything that is not one is skipped. */
const nodeLoadSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  url: z.url({ protocol: /^https?$/ }),
  broadcasts: z.number().int().min(0),
  maxBroadcasts: z.number().int().min(1),
  slowestSpeed: z.number().min(0).nullable(),
});

/**
 * The live nodes of a cluster: each keeps a key with its URL and load, refreshed by a heartbeat and
 * expiring when the node dies. Ingest placement reads it to send a publisher to a node with room.
 */
export class NodeRegistry {
  private readonly speeds = new SpeedWindow();
  private readonly timer: NodeJS.Timeout;
  private latest: NodeLoad;
  private liveOrigins: readonly string[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly node: ClusterNode,
    private readonly load: () => LocalLoad,
    private readonly log: Logger,
    private readonly timing: HeartbeatTiming = HEARTBEAT_TIMING,
  ) {
    this.latest = this.sample();
    this.timer = setInterval(() => void this.heartbeat(), timing.everyMs);
    this.timer.unref();
  }

  /** This node's load as of its last heartbeat. */
  get self(): NodeLoad {
    return this.latest;
  }

  /**
   * The origins of the live nodes as of the last heartbeat: a page of this node may connect to them (the
   * studio continuing on the node placement chose, a WHEP viewer sent to the hosting node).
   */
  get origins(): readonly string[] {
    return this.liveOrigins;
  }

  /** Publishes this node's load now, and reads the others' origins; called on a timer (and at start), public for tests. */
  async heartbeat(): Promise<void> {
    this.latest = this.sample();
    await this.redis.set(KEY_PREFIX + this.node.id, JSON.stringify(this.latest), 'PX', this.timing.ttlMs).catch((err: unknown) => {
      this.log.warn('could not publish this node in the registry; trying again', { err });
    });
    await this.list().then(
      (nodes) => (this.liveOrigins = [...new Set(nodes.map((n) => new URL(n.url).origin))]),
      // Redis is away: the last known nodes stay allowed until it answers again.
      () => undefined,
    );
  }

  /** Every node whose heartbeat is current, this one included. */
  async list(): Promise<NodeLoad[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', 100);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys);
    return values.flatMap((value) => parseNode(value) ?? []);
  }

  /** The URL of a node whose heartbeat is current; undefined when it is down (or not one). */
  async urlOf(nodeId: string): Promise<string | undefined> {
    return parseNode(await this.redis.get(KEY_PREFIX + nodeId))?.url;
  }

  /** The least-loaded other node with room; undefined when none has any. */
  async placeElsewhere(): Promise<NodeLoad | undefined> {
    return leastLoaded((await this.list()).filter((n) => n.id !== this.node.id));
  }

  /** Leaves the registry at once (a clean shutdown), rather than when the key expires. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(KEY_PREFIX + this.node.id).catch(() => undefined);
  }

  private sample(): NodeLoad {
    const { broadcasts, maxBroadcasts, speeds } = this.load();
    return { ...this.node, broadcasts, maxBroadcasts, slowestSpeed: this.speeds.push(speeds) };
  }
}

function parseNode(value: string | null): NodeLoad | undefined {
  const parsed = value === null ? undefined : nodeLoadSchema.safeParse(safeJson(value));
  return parsed?.success ? parsed.data : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
