import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { RecordingRepository } from '../store/recording-repository.js';
import { HopHeader } from './hop-header.js';
import { IngestPlacement } from './ingest-placement.js';
import { loadClusterNode, type ClusterNode } from './node-identity.js';
import { NodeRegistry } from './node-registry.js';
import { OfferForwarder } from './offer-forwarder.js';
import { OriginProxy } from './origin-proxy.js';
import { RecordingHolders } from './recording-holders.js';
import { RedisLeases } from './redis-leases.js';

export interface ClusterOptions {
  redisUrl: string;
  dataDir: string;
  nodeUrl: string;
  log: Logger;
}

/**
 * This node's part in a cluster (REDIS_URL): its identity, its broadcast leases, its entry in the node
 * registry, and what routes viewers and publishers to other nodes. Leases come first (the session registry
 * takes them as its claims); the node registry starts once the sessions it reports on exist.
 */
export class ClusterMembership {
  private nodes: NodeRegistry | undefined;
  private proxy: OriginProxy | undefined;

  private constructor(
    private readonly redis: Redis,
    readonly node: ClusterNode,
    readonly leases: RedisLeases,
    private readonly hops: HopHeader,
    private readonly log: Logger,
  ) {}

  /** Rejects when Redis cannot be reached at start. */
  static async connect(o: ClusterOptions): Promise<ClusterMembership> {
    const redis = new Redis(o.redisUrl, { lazyConnect: true });
    redis.on('error', (error: Error) => o.log.warn('redis connection error', { error }));
    await redis.connect();
    const node = loadClusterNode(o.dataDir, o.nodeUrl);
    o.log.info('this node joins the cluster', { node: node.id, url: node.url });
    const hops = await HopHeader.join(redis, o.log.child('hops'));
    return new ClusterMembership(redis, node, new RedisLeases(redis, node, o.log.child('leases')), hops, o.log);
  }

  /** Starts the heartbeat that reports the sessions' load; returns what the HTTP routes route with. */
  async attach(sessions: SessionRegistry, recordings: Pick<RecordingRepository, 'getFinished'>) {
    const nodes = new NodeRegistry(this.redis, this.node, () => loadOf(sessions), this.log.child('nodes'));
    await nodes.heartbeat();
    this.nodes = nodes;
    this.proxy = new OriginProxy(this.leases, this.hops, new RecordingHolders(recordings, nodes, this.node.id));
    return {
      originProxy: this.proxy,
      placement: new IngestPlacement(sessions, nodes),
      offers: new OfferForwarder(this.hops),
      hostUrl: async (livestreamId: string) => (await this.leases.hostOf(livestreamId))?.url,
      nodeOrigins: () => nodes.origins,
    };
  }

  /** After the broadcasts have ended (their leases released): leaves the registry and closes Redis. */
  async close(): Promise<void> {
    await this.leases.close();
    await this.nodes?.close();
    this.proxy?.close();
    this.hops.close();
    await this.redis.quit().catch(() => undefined);
  }
}

function loadOf(sessions: SessionRegistry) {
  const speeds = sessions.all().flatMap((s) => (s.transcodeProgress ? [s.transcodeProgress.speed] : []));
  return { broadcasts: sessions.size, maxBroadcasts: sessions.maxBroadcasts, speeds };
}
