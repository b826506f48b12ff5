import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { startRedisServer, type RedisServer } from '../../test/fixtures/redis-server.js';
import { waitFor } from '../../test/fixtures/wait-for.js';
import { IngestPlacement } from './ingest-placement.js';
import { NodeRegistry, type LocalLoad } from './node-registry.js';

const log = createLogger('test');
/** Heartbeats only when a test calls heartbeat(). */
const timing = { ttlMs: 600, everyMs: 60_000 };

describe('NodeRegistry', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  const join = async (n: number, load: LocalLoad) => {
    const node = { id: String(n).repeat(16), url: `http://127.0.0.1:900${n}` };
    const registry = new NodeRegistry(redis, node, () => load, log, timing);
    await registry.heartbeat();
    return registry;
  };

  it('lists the live nodes with their load, forgets one whose heartbeats stop, and places publishers on the least loaded', async () => {
    const full = await join(1, { broadcasts: 1, maxBroadcasts: 1, speeds: [1] });
    const busy = await join(2, { broadcasts: 2, maxBroadcasts: 4, speeds: [1, 0.999] });
    const slow = await join(3, { broadcasts: 1, maxBroadcasts: 4, speeds: [0.6] });
    const idle = await join(4, { broadcasts: 0, maxBroadcasts: 2, speeds: [] });
    expect((await full.list()).map((n) => n.id).sort()).toEqual(['1111111111111111', '2222222222222222', '3333333333333333', '4444444444444444']);
    expect((await full.list()).find((n) => n.id === busy.self.id)).toEqual({
      id: '2222222222222222',
      url: 'http://127.0.0.1:9002',
      broadcasts: 2,
      maxBroadcasts: 4,
      slowestSpeed: 0.999,
    });

    const placement = new IngestPlacement({ size: 1, maxBroadcasts: 1 }, full);
    expect(await placement.elsewhere()).toBe('http://127.0.0.1:9004');
    // Under its limit and at real time: it takes the publish itself.
    expect(await new IngestPlacement({ size: 2, maxBroadcasts: 4 }, busy).elsewhere()).toBeUndefined();
    // Under its limit but FFmpeg behind real time: it sends publishers away too.
    expect(await new IngestPlacement({ size: 1, maxBroadcasts: 4 }, slow).elsewhere()).toBe('http://127.0.0.1:9004');

    expect(await full.urlOf(idle.self.id)).toBe('http://127.0.0.1:9004');
    await idle.close();
    expect(await full.urlOf(idle.self.id)).toBeUndefined();
    expect(await placement.elsewhere()).toBe('http://127.0.0.1:9002');
    // busy stops its heartbeats, as a dead node does: it leaves the registry when its entry expires.
    await waitFor('the silent node to leave the registry', async () => (await full.list()).every((n) => n.id !== busy.self.id), 5000);
    await expect(placement.elsewhere()).rejects.toThrow(expect.objectContaining({ code: 'at_capacity' }));
    for (const registry of [full, busy, slow]) await registry.close();
  });
});
