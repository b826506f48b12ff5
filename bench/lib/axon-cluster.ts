import { randomInt } from 'node:crypto';
import { startPostgres } from '../../server/test/fixtures/postgres.js';
import { startRedisServer } from '../../server/test/fixtures/redis-server.js';
import { startAxonServer, type AxonServer } from './axon-server.js';
import { onCleanup } from './cleanup.js';

/** mediasoup's ports of the nodes: consecutive 200-port windows in 50000-59999, so that the two never share one. */
const RTC_WINDOW = { lowest: 50_000, highest: 59_999, size: 200 };

export interface AxonCluster {
  /** Two nodes, each on its own port and data directory, both with the environment asked for. */
  nodes: [AxonServer, AxonServer];
  redisUrl: string;
  /** Stops the nodes, then Redis and PostgreSQL. */
  stop(): Promise<void>;
}

/**
 * Two Axon nodes in cluster mode on 127.0.0.1: a throwaway PostgreSQL (`DATABASE_URL`) and Redis
 * (`REDIS_URL`), the test suite's own (server/test/fixtures), and each node started as startAxonServer
 * starts one (its own port, data directory and media; `AXON_NODE_URL` its own address).
 */
export async function startAxonCluster(env: Record<string, string> = {}): Promise<AxonCluster> {
  const postgres = await startPostgres();
  const unregisterPostgres = onCleanup({ run: () => postgres.stop() });
  const redis = await startRedisServer();
  const unregisterRedis = onCleanup({ run: () => redis.stop() });
  const nodes: AxonServer[] = [];
  const stop = async () => {
    for (const node of nodes) await node.stop();
    await redis.stop();
    unregisterRedis();
    await postgres.stop();
    unregisterPostgres();
  };
  try {
    const common = { ...env, DATABASE_URL: await postgres.createDatabase(), REDIS_URL: redis.url };
    const rtcBase = randomInt(RTC_WINDOW.lowest, RTC_WINDOW.highest - 2 * RTC_WINDOW.size);
    for (const k of [0, 1]) {
      const min = rtcBase + k * RTC_WINDOW.size;
      nodes.push(await startAxonServer({ env: { ...common, RTC_MIN_PORT: String(min), RTC_MAX_PORT: String(min + RTC_WINDOW.size - 1) } }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes: nodes as [AxonServer, AxonServer], redisUrl: redis.url, stop };
}
