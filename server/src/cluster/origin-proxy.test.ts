import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastHost } from './broadcast-claims.js';
import { HOP_HEADER, HopHeader } from './hop-header.js';
import { OriginProxy } from './origin-proxy.js';
import type { RecordingHolder } from './recording-holders.js';

/** The hosting node: answers what it was asked, and shows which headers reached it. */
function hostingNode(): Promise<{ url: string; server: http.Server; seen: http.IncomingHttpHeaders[] }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((request, response) => {
    seen.push(request.headers);
    if (request.headers['if-none-match'] === '"v1"') return void response.writeHead(304, { etag: '"v1"' }).end();
    response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'max-age=1', etag: '"v1"', 'content-length': '7', connection: 'keep-alive' });
    response.end(request.method === 'HEAD' ? undefined : '#EXTM3U');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen })));
}

const LIVE = '/live/abcdefgh1234/master.m3u8';
const REPLAY = '/live/abcdefgh1234/brec000001/master.m3u8';

describe('OriginProxy', () => {
  const hops = new HopHeader('origin-proxy-test-secret');
  /** The header another node of the cluster sends with a request for `path` it passes on the `n`th time. */
  const fromNode = (n: number, path: string) => hops.header(n, 'GET', new URL(path, 'http://node'));
  /** How many passes the hosting node reads in the last request it got, for `path`. */
  const passesSeen = (path: string) => hops.hopsOf({ method: 'GET', url: path, headers: host.seen.at(-1)! });
  let host: Awaited<ReturnType<typeof hostingNode>>;
  let app: FastifyInstance;
  let hostUrl: string | undefined;
  let asked = 0;
  let now = 0;
  let holder: RecordingHolder | undefined;
  const proxy = new OriginProxy(
    {
      hostOf: async (): Promise<BroadcastHost | undefined> => {
        asked++;
        return hostUrl === undefined ? undefined : { nodeId: 'a', url: hostUrl, playable: true };
      },
    },
    hops,
    { find: async (livestreamId, recordingId) => (livestreamId === 'abcdefgh1234' && recordingId === 'brec000001' ? holder : undefined) },
    () => now,
  );

  beforeAll(async () => {
    host = await hostingNode();
    app = Fastify();
    app.route({
      method: ['GET', 'HEAD'],
      url: '/live/:id/*',
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const url = await proxy.hostUrl(request, 'abcdefgh1234');
        if (url !== undefined) return proxy.forward(request, reply, url);
        const holder = await proxy.recordingElsewhere(request, 'abcdefgh1234', request.url.split('/').slice(3).join('/'));
        return holder ? proxy.fromHolder(request, reply, holder) : reply.code(404).send({ error: 'here' });
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    proxy.close();
    await app.close();
    host.server.close();
  });

  const get = (headers: Record<string, string> = {}, method = 'GET') => app.inject({ method: method as 'GET', url: LIVE, headers });

  it('passes the hosting node answer through with its headers, and only the headers that decide it', async () => {
    hostUrl = host.url;
    now += 10_000;
    const answer = await get({ range: 'bytes=0-3', cookie: 'secret=1', authorization: 'Bearer x' });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe('#EXTM3U');
    expect(answer.headers).toMatchObject({ 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'max-age=1', etag: '"v1"', 'content-length': '7' });
    const seen = host.seen.at(-1)!;
    expect(seen).toMatchObject({ range: 'bytes=0-3' });
    expect(passesSeen(LIVE)).toBe(1);
    expect(seen.cookie).toBeUndefined();
    expect(seen.authorization).toBeUndefined();
    expect((await get({ 'if-none-match': '"v1"' })).statusCode).toBe(304);
    const head = await get({}, 'HEAD');
    expect(head.headers['content-length']).toBe('7');
    expect(head.body).toBe('');
  });

  it('asks who hosts a livestream at most once a second, and never passes on a request another node passed on', async () => {
    hostUrl = host.url;
    now += 10_000;
    const before = asked;
    await get();
    await get();
    expect(asked - before).toBe(1);
    expect((await get(fromNode(1, LIVE))).json()).toEqual({ error: 'here' });
  });

  it('takes a hop header it cannot verify as coming from outside the cluster: the request is still passed on', async () => {
    hostUrl = host.url;
    now += 10_000;
    const otherSecret = new HopHeader('not-the-cluster-secret').header(1, 'GET', new URL(LIVE, 'http://node'));
    const otherPath = hops.header(1, 'GET', new URL('/live/abcdefgh1234/other.m3u8', 'http://node'));
    const otherMethod = hops.header(1, 'HEAD', new URL(LIVE, 'http://node'));
    for (const forged of ['1', '2', 'x', `1 ${'A'.repeat(43)}`, otherSecret[HOP_HEADER]!, otherPath[HOP_HEADER]!, otherMethod[HOP_HEADER]!]) {
      const answer = await get({ [HOP_HEADER]: forged });
      expect(answer.body, forged).toBe('#EXTM3U');
      expect(passesSeen(LIVE)).toBe(1);
    }
  });

  it('answers 502 for a hosting node that cannot be reached, cacheable for a moment only', async () => {
    hostUrl = 'http://127.0.0.1:1';
    now += 10_000;
    const answer = await get();
    expect(answer.statusCode).toBe(502);
    expect(answer.headers['cache-control']).toBe('max-age=1');
  });

  it('serves a recording from the node holding its files, and 503 for a while when that node is down', async () => {
    hostUrl = undefined;
    const replay = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: REPLAY, headers });
    holder = { at: 'node', url: host.url };
    now += 10_000;
    expect((await replay()).body).toBe('#EXTM3U');
    expect(passesSeen(REPLAY)).toBe(1);
    // The node hosting the livestream passes a recording request on to its holder; the holder never further.
    expect((await replay(fromNode(1, REPLAY))).body).toBe('#EXTM3U');
    expect(passesSeen(REPLAY)).toBe(2);
    expect((await replay(fromNode(2, REPLAY))).json()).toEqual({ error: 'here' });
    // A client claiming to be the second pass makes no pass at all.
    expect((await replay({ [HOP_HEADER]: '2' })).body).toBe('#EXTM3U');
    holder = { at: 'down' };
    now += 10_000;
    const down = await replay();
    expect(down.statusCode).toBe(503);
    expect(down.headers['cache-control']).toBe('max-age=1');
    holder = { at: 'here' };
    now += 10_000;
    expect((await replay()).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/live/abcdefgh1234/not-a-recording/x.m4s' })).statusCode).toBe(404);
  });
});
