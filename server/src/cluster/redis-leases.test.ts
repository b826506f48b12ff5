import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { startRedisServer, type RedisServer } from '../../test/fixtures/redis-server.js';
import { waitFor } from '../../test/fixtures/wait-for.js';
import { RedisLeases } from './redis-leases.js';

const log = createLogger('test');
/** Short, so that expiry is seen in a test; renewals never come by themselves (tests call renew()). */
const timing = { ttlMs: 600, renewEveryMs: 60_000 };
const nodeA = { id: 'aaaaaaaaaaaaaaaa', url: 'http://127.0.0.1:8081' };
const nodeB = { id: 'bbbbbbbbbbbbbbbb', url: 'http://127.0.0.1:8082' };

describe('RedisLeases', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const leases: RedisLeases[] = [];
  const leasesOf = (node: typeof nodeA) => {
    const client = new Redis(server.url);
    clients.push(client);
    const made = new RedisLeases(client, node, log, timing);
    leases.push(made);
    return made;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(leases.splice(0).map((l) => l.close()));
    clients.splice(0).forEach((c) => c.disconnect());
  });
  afterAll(async () => server.stop());

  it('lets one node at a time hold a livestream, tells the others who and where, and frees it on release', async () => {
    const a = leasesOf(nodeA);
    const b = leasesOf(nodeB);
    expect(await a.claim('ls-1')).toBe(true);
    expect(await b.claim('ls-1')).toBe(false);
    expect(await b.hostOf('ls-1')).toEqual({ nodeId: nodeA.id, url: nodeA.url, playable: false });
    expect(await a.hostOf('ls-1')).toBeUndefined();
    await a.markPlayable('ls-1');
    expect(await b.hostOf('ls-1')).toMatchObject({ playable: true });
    // Releasing what another node holds changes nothing.
    await b.release('ls-1');
    expect(await b.hostOf('ls-1')).toBeDefined();
    await a.release('ls-1');
    expect(await b.hostOf('ls-1')).toBeUndefined();
    expect(await b.claim('ls-1')).toBe(true);
  });

  it('lets the lease of a node that stopped renewing expire within its lifetime, and another node take it', async () => {
    const a = leasesOf(nodeA);
    const b = leasesOf(nodeB);
    expect(await a.claim('ls-2')).toBe(true);
    await a.renew();
    expect(await b.claim('ls-2')).toBe(false);
    // A stops renewing, as a dead node does.
    const stoppedAt = Date.now();
    await waitFor('the lease to expire', async () => (await b.hostOf('ls-2')) === undefined, 5000);
    expect(Date.now() - stoppedAt).toBeLessThan(timing.ttlMs + 500);
    expect(await b.claim('ls-2')).toBe(true);
  });

  it('refuses to renew a lease another node holds, and tells its listeners the broadcast is lost', async () => {
    const a = leasesOf(nodeA);
    const b = leasesOf(nodeB);
    const lost: string[] = [];
    a.onLost((id) => lost.push(id));
    expect(await a.claim('ls-3')).toBe(true);
    expect(await a.claim('ls-4')).toBe(true);
    await waitFor('the leases to expire', async () => (await b.hostOf('ls-3')) === undefined, 5000);
    expect(await b.claim('ls-3')).toBe(true);
    await a.renew();
    expect(lost).toEqual(['ls-3']);
    expect(await a.hostOf('ls-3')).toEqual({ nodeId: nodeB.id, url: nodeB.url, playable: false });
    // ls-4 expired with nobody taking it: the renewal takes it again.
    expect(await b.hostOf('ls-4')).toMatchObject({ nodeId: nodeA.id });
    // A's later release of ls-3 leaves B's lease alone.
    await a.release('ls-3');
    expect(await a.hostOf('ls-3')).toMatchObject({ nodeId: nodeB.id });
  });

  it('takes back its own lease after a restart with the same node id', async () => {
    const before = leasesOf(nodeA);
    expect(await before.claim('ls-5')).toBe(true);
    const after = leasesOf(nodeA);
    expect(await after.claim('ls-5')).toBe(true);
    expect(await leasesOf(nodeB).claim('ls-5')).toBe(false);
  });

  it('gives up its broadcasts when Redis cannot be reached for longer than a lease lives', async () => {
    const client = new Redis(server.url, { maxRetriesPerRequest: 0, lazyConnect: true });
    await client.connect();
    clients.push(client);
    const a = new RedisLeases(client, nodeA, log, timing);
    leases.push(a);
    const lost: string[] = [];
    a.onLost((id) => lost.push(id));
    expect(await a.claim('ls-6')).toBe(true);
    await a.renew();
    client.disconnect();
    await a.renew();
    expect(lost).toEqual([]);
    await new Promise((r) => setTimeout(r, timing.ttlMs + 50));
    await a.renew();
    expect(lost).toEqual(['ls-6']);
  });
});
