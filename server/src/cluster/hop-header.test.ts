import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { startRedisServer, type RedisServer } from '../../test/fixtures/redis-server.js';
import { waitFor } from '../../test/fixtures/wait-for.js';
import { CLUSTER_SECRET_KEY, HOP_HEADER, HopHeader } from './hop-header.js';

const log = createLogger('test');
const PATH = '/live/abcdefgh1234/master.m3u8?_HLS_msn=3';
const target = new URL(PATH, 'http://10.0.0.12:8080');
const received = (headers: Record<string, string>, method = 'GET', url = PATH) => ({ method, url, headers });

describe('HopHeader', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const joined: HopHeader[] = [];
  const join = async () => {
    const client = new Redis(server.url);
    clients.push(client);
    const hops = await HopHeader.join(client, log);
    joined.push(hops);
    return { hops, client };
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    joined.splice(0).forEach((h) => h.close());
    await clients[0]?.del(CLUSTER_SECRET_KEY);
    clients.splice(0).forEach((c) => c.disconnect());
  });
  afterAll(async () => server.stop());

  it('counts the passes of a request another node signed, for that method and path only', () => {
    const hops = new HopHeader('a-secret');
    expect(hops.hopsOf(received(hops.header(1, 'GET', target)))).toBe(1);
    expect(hops.hopsOf(received(hops.header(2, 'GET', target)))).toBe(2);
    expect(hops.hopsOf(received(hops.passOn(received(hops.header(1, 'GET', target)), target)))).toBe(2);
    expect(hops.hopsOf(received(hops.header(1, 'GET', target), 'DELETE'))).toBe(0);
    expect(hops.hopsOf(received(hops.header(1, 'GET', target), 'GET', '/live/abcdefgh1234/other.m3u8'))).toBe(0);
    expect(hops.hopsOf(received(new HopHeader('another-secret').header(1, 'GET', target)))).toBe(0);
  });

  it('takes what a client made up as no pass at all', () => {
    const hops = new HopHeader('a-secret');
    const valid = hops.header(1, 'GET', target)[HOP_HEADER]!;
    for (const forged of ['1', '2', '0', '', 'x'.repeat(5000), `2${valid.slice(1)}`, `${valid} `, valid.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))]) {
      expect(hops.hopsOf(received({ [HOP_HEADER]: forged })), forged).toBe(0);
    }
    expect(hops.hopsOf(received({}))).toBe(0);
    // Only the first pass of a new request is 1: a client cannot start at 0 to gain one.
    expect(hops.passOn(received({ [HOP_HEADER]: '5' }), target)).toEqual(hops.header(1, 'GET', target));
  });

  it('nodes joining one Redis share the secret the first one created, and never put it in the header', async () => {
    const { hops: a, client } = await join();
    const { hops: b } = await join();
    const secret = await client.get(CLUSTER_SECRET_KEY);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const header = a.header(1, 'GET', target);
    expect(header[HOP_HEADER]).not.toContain(secret);
    expect(b.hopsOf(received(header))).toBe(1);
    expect(a.hopsOf(received(b.header(2, 'GET', target)))).toBe(2);
  });

  it('puts the secret back when Redis lost it, and takes the one another node put there first, still accepting the old one meanwhile', async () => {
    const { hops: a, client } = await join();
    const { hops: b } = await join();
    const first = await client.get(CLUSTER_SECRET_KEY);
    await client.del(CLUSTER_SECRET_KEY);
    await waitFor('a node to put the secret back', async () => (await client.get(CLUSTER_SECRET_KEY)) === first, 10_000);

    const signedBefore = a.header(1, 'GET', target);
    await client.set(CLUSTER_SECRET_KEY, 'a-secret-some-node-created-after-a-redis-restart');
    const adopted = new HopHeader('a-secret-some-node-created-after-a-redis-restart');
    await waitFor('both nodes to take the new secret', () => a.hopsOf(received(adopted.header(1, 'GET', target))) === 1 && b.hopsOf(received(adopted.header(1, 'GET', target))) === 1, 10_000);
    expect(b.hopsOf(received(signedBefore))).toBe(1);
    expect(adopted.hopsOf(received(a.header(1, 'GET', target)))).toBe(1);
  });
});
