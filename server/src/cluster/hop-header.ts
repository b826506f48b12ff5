import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

/**
 * Marks a request one node passed to another: `<passes> <mac>`, the MAC an HMAC-SHA256 under the cluster's
 * secret of the passes, the method and the path. A node that reads a valid one answers from its own files
 * (the origin proxy) or serves an offer itself (WHIP placement); a client's header, which cannot carry a
 * valid MAC, counts as no pass at all. The MAC binds the method and path, so a header seen on the network
 * between nodes replays only that same request, and never gives the secret away.
 */
export const HOP_HEADER = 'x-axon-hop';
/** One secret for the whole cluster, created by the first node that finds none: nothing to configure. */
export const CLUSTER_SECRET_KEY = 'axon:cluster-secret';
/**
 * How often a node puts its secret back in Redis when it is gone (Redis restarted empty: nothing in it has
 * to survive a restart) and takes the one there when another node put a different one first.
 */
const REFRESH_MS = 2500;
const HEADER_VALUE = /^([1-9]) ([A-Za-z0-9_-]{43})$/;

/** What the MAC covers: a node signs the request it sends exactly as the receiving node reads it. */
export interface HopRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
}

const mac = (secret: string, hops: number, method: string, url: string) =>
  createHmac('sha256', secret).update(`${hops}\n${method}\n${url}`).digest('base64url');

/** Reads and writes the hop header under the cluster's secret (the only module that does). */
export class HopHeader {
  private previous: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private secret: string) {}

  /** The cluster's secret: this node's new one when Redis holds none yet, else the one there. Kept fresh until close(). */
  static async join(redis: Redis, log: Logger): Promise<HopHeader> {
    const hops = new HopHeader(randomBytes(32).toString('base64url'));
    await hops.refresh(redis, log);
    hops.timer = setInterval(() => void hops.refresh(redis, log).catch(() => undefined), REFRESH_MS);
    hops.timer.unref();
    return hops;
  }

  /** How many times other nodes passed this request on; 0 for one from outside the cluster, whatever it carries. */
  hopsOf(request: HopRequest): number {
    const value = request.headers[HOP_HEADER];
    const parsed = typeof value === 'string' ? HEADER_VALUE.exec(value) : null;
    if (!parsed) return 0;
    const hops = Number(parsed[1]);
    const given = Buffer.from(parsed[2]!);
    // The previous secret too: for the few seconds after a change, nodes that have not seen it yet still sign with it.
    const valid = [this.secret, this.previous].some((secret) => secret !== undefined && timingSafeEqual(given, Buffer.from(mac(secret, hops, request.method, request.url))));
    return valid ? hops : 0;
  }

  /** The header for passing `request` on to `target` (same method): one pass more than it has had. */
  passOn(request: HopRequest, target: URL): Record<string, string> {
    return this.header(this.hopsOf(request) + 1, request.method, target);
  }

  /** The header of a request this node sends to `target` with `hops` passes. */
  header(hops: number, method: string, target: URL): Record<string, string> {
    return { [HOP_HEADER]: `${hops} ${mac(this.secret, hops, method, target.pathname + target.search)}` };
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async refresh(redis: Redis, log: Logger): Promise<void> {
    await redis.set(CLUSTER_SECRET_KEY, this.secret, 'NX');
    const shared = await redis.get(CLUSTER_SECRET_KEY);
    if (shared === null || shared === this.secret) return;
    if (this.timer !== undefined) log.info('the cluster secret in Redis changed (Redis restarted empty?); this node takes the one there');
    this.previous = this.secret;
    this.secret = shared;
  }
}
