import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastHost } from './broadcast-claims.js';
import { HOP_HEADER, OriginProxy } from './origin-proxy.js';
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

describe('OriginProxy', () => {
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
    () => now,
    { find: async (livestreamId, recordingId) => (livestreamId === 'abcdefgh1234' && recordingId === 'brec000001' ? holder : undefined) },
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

  const get = (headers: Record<string, string> = {}, method = 'GET') => app.inject({ method: method as 'GET', url: '/live/abcdefgh1234/master.m3u8', headers });

  it('passes the hosting node answer through with its headers, and only the headers that decide it', async () => {
    hostUrl = host.url;
    now += 10_000;
    const answer = await get({ range: 'bytes=0-3', cookie: 'secret=1', authorization: 'Bearer x' });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe('#EXTM3U');
    expect(answer.headers).toMatchObject({ 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'max-age=1', etag: '"v1"', 'content-length': '7' });
    const seen = host.seen.at(-1)!;
    expect(seen).toMatchObject({ range: 'bytes=0-3', [HOP_HEADER]: '1' });
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
    expect((await get({ [HOP_HEADER]: '1' })).json()).toEqual({ error: 'here' });
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
    const replay = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: '/live/abcdefgh1234/brec000001/master.m3u8', headers });
    holder = { at: 'node', url: host.url };
    now += 10_000;
    expect((await replay()).body).toBe('#EXTM3U');
    expect(host.seen.at(-1)).toMatchObject({ [HOP_HEADER]: '1' });
    // The node hosting the livestream passes a recording request on to its holder; the holder never further.
    expect((await replay({ [HOP_HEADER]: '1' })).body).toBe('#EXTM3U');
    expect(host.seen.at(-1)).toMatchObject({ [HOP_HEADER]: '2' });
    expect((await replay({ [HOP_HEADER]: '2' })).json()).toEqual({ error: 'here' });
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
