import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { AdminAuth } from '../src/http/admin-auth.js';
import { buildHttpApp } from '../src/http/app.js';
import { createLogger, setLogLevel } from '../src/log.js';
import { SessionRegistry } from '../src/session/session-registry.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { SqliteLivestreamRepository } from '../src/store/sqlite/livestream-repository.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { Registry } from 'prom-client';

const ID = 'originTest01';
const OTHER_ID = 'otherStream1';
const SEGMENT = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
const PLAYLIST = '#EXTM3U\n#EXT-X-VERSION:7\n';
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** node:http sends the path byte for byte (fetch would normalise `..` and backslashes away). */
function raw(port: number, method: string, urlPath: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const tempDir = tempDirs();

describe('origin', () => {
  let dataDir: string;
  let config: Config;
  let db: Database;
  let app: FastifyInstance;
  let port: number;
  const get = (urlPath: string, headers?: Record<string, string>) => raw(port, 'GET', urlPath, headers);
  const write = (id: string, rel: string, content: string | Buffer) => {
    const file = path.join(config.mediaDir, id, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  };

  beforeAll(async () => {
    setLogLevel('error');
    dataDir = tempDir('axon-origin-');
    config = loadConfig({ AXON_DATA_DIR: dataDir, AXON_API_TOKEN: 'origin-test-token-0123456789' });
    db = openDatabase(config.dataDir);
    app = await buildHttpApp({
      config,
      adminAuth: new AdminAuth(config.apiToken!),
      livestreams: new SqliteLivestreamRepository(db),
      registry: new SessionRegistry(() => {
        throw new Error('no broadcasts in origin tests');
      }),
      viewerCount: () => 0,
      metrics: new Registry(),
      log: createLogger('origin-test'),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;

    write(ID, 'master.m3u8', PLAYLIST);
    write(ID, 'stream_0.m3u8', PLAYLIST);
    write(ID, 'manifest.mpd', '<?xml version="1.0"?><MPD/>');
    write(ID, 'b1/r1/init-0.m4s', 'init');
    write(ID, 'b1/r1/seg-0-00001.m4s', SEGMENT);
    write(ID, 'b1/recording.mp4', 'mp4');
    write(ID, 'b1/r1/empty-00002.m4s', '');
    write(ID, 'notes.txt', 'not a stream file');
    write(ID, 'manifest.mpd.tmp', 'half-written');
    write(OTHER_ID, 'master.m3u8', '#EXTM3U\n# other livestream\n');
    fs.writeFileSync(path.join(config.mediaDir, 'top.m3u8'), '#EXTM3U\n# outside any livestream\n');
  });

  afterAll(async () => {
    await app.close();
    db.close();
    setLogLevel('info');
  });

  it.each([
    ['master.m3u8', 'application/vnd.apple.mpegurl', 'public, max-age=1'],
    ['stream_0.m3u8', 'application/vnd.apple.mpegurl', 'public, max-age=1'],
    ['manifest.mpd', 'application/dash+xml', 'public, max-age=1'],
    ['b1/r1/init-0.m4s', 'video/mp4', IMMUTABLE],
    ['b1/r1/seg-0-00001.m4s', 'video/iso.segment', IMMUTABLE],
  ])('serves %s as %s, %s', async (rel, contentType, cacheControl) => {
    const res = await get(`/live/${ID}/${rel}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(contentType);
    expect(res.headers['cache-control']).toBe(cacheControl);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(res.headers['last-modified']).toMatch(/GMT$/);
    expect(res.body.equals(fs.readFileSync(path.join(config.mediaDir, ID, rel)))).toBe(true);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
  });

  it('ignores the query string (LL-HLS directives, cache busters)', async () => {
    const res = await get(`/live/${ID}/master.m3u8?_HLS_msn=3&_HLS_part=1`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(PLAYLIST);
  });

  it('exposes the headers players read to other origins', async () => {
    const res = await get(`/live/${ID}/b1/r1/seg-0-00001.m4s`, { origin: 'https://player.example' });
    const exposed = (res.headers['access-control-expose-headers'] ?? '').split(/, */);
    expect(exposed).toEqual(expect.arrayContaining(['Content-Length', 'Content-Range']));
  });

  it('answers CORS preflights', async () => {
    const res = await raw(port, 'OPTIONS', `/live/${ID}/b1/r1/seg-0-00001.m4s`, {
      origin: 'https://player.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'range',
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('range');
    expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);

    const odd = await raw(port, 'OPTIONS', `/live/${ID}/master.m3u8`, {
      origin: 'https://player.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'x\u00e9;evil',
    });
    expect(odd.headers['access-control-allow-headers']).toMatch(/^Range, /);
  });

  describe('byte ranges', () => {
    const segment = `/live/${ID}/b1/r1/seg-0-00001.m4s`;

    it.each([
      ['bytes=0-99', 0, 99],
      ['bytes=990-', 990, 999],
      ['bytes=-10', 990, 999],
      ['bytes=500-5000', 500, 999],
      ['bytes=10-20,15-30', 10, 30],
    ])('%s answers 206 with the bytes asked for', async (range, start, end) => {
      const res = await get(segment, { range });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
      expect(Number(res.headers['content-length'])).toBe(end - start + 1);
      expect(res.body.equals(SEGMENT.subarray(start, end + 1))).toBe(true);
      expect(res.headers['content-type']).toBe('video/iso.segment');
    });

    it('answers 416 with the size when no range is satisfiable', async () => {
      for (const range of ['bytes=1000-', 'bytes=5000-6000']) {
        const res = await get(segment, { range });
        expect(res.status, range).toBe(416);
        expect(res.headers['content-range']).toBe('bytes */1000');
        expect(res.body.length).toBe(0);
      }
      const empty = await get(`/live/${ID}/b1/r1/empty-00002.m4s`, { range: 'bytes=0-10' });
      expect(empty.status).toBe(416);
      expect(empty.headers['content-range']).toBe('bytes */0');
    });

    it('answers the whole file for a malformed Range, another unit, or disjoint ranges', async () => {
      for (const range of ['bytes=abc', 'items=0-5', 'bytes=0-1,500-501']) {
        const res = await get(segment, { range });
        expect(res.status, range).toBe(200);
        expect(res.body.equals(SEGMENT)).toBe(true);
      }
    });

    it('honours If-Range', async () => {
      const { headers } = await get(segment);
      const same = await get(segment, { range: 'bytes=0-9', 'if-range': headers.etag! });
      expect(same.status).toBe(206);
      const stale = await get(segment, { range: 'bytes=0-9', 'if-range': '"0-0"' });
      expect(stale.status).toBe(200);
      expect(stale.body.length).toBe(1000);
    });
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await raw(port, 'HEAD', `/live/${ID}/b1/r1/seg-0-00001.m4s`);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('1000');
    expect(head.headers['content-type']).toBe('video/iso.segment');
    expect(head.headers['cache-control']).toBe(IMMUTABLE);
    expect(head.body.length).toBe(0);
    const ranged = await raw(port, 'HEAD', `/live/${ID}/b1/r1/seg-0-00001.m4s`, { range: 'bytes=0-9' });
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-length']).toBe('10');
    expect((await raw(port, 'HEAD', `/live/${ID}/missing.m3u8`)).status).toBe(404);
  });

  it('answers 304 while the file is unchanged and a new ETag once it is rewritten', async () => {
    write(ID, 'live.m3u8', `${PLAYLIST}#1\n`);
    const first = await get(`/live/${ID}/live.m3u8`);
    const etag = first.headers.etag!;
    const unchanged = await get(`/live/${ID}/live.m3u8`, { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.body.length).toBe(0);
    expect(unchanged.headers.etag).toBe(etag);

    // Same size, same second: only the nanosecond mtime tells the versions apart.
    write(ID, 'live.m3u8', `${PLAYLIST}#2\n`);
    const changed = await get(`/live/${ID}/live.m3u8`, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body.toString()).toContain('#2');
    expect(changed.headers.etag).not.toBe(etag);
    const since = await get(`/live/${ID}/live.m3u8`, { 'if-modified-since': first.headers['last-modified']! });
    expect(since.status).toBe(200);
  });

  it('answers repeated requests from memory, and 404 as soon as a served segment is deleted', async () => {
    const counters = async () => {
      const text = (await get('/metrics')).body.toString();
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
      return { hits: value('axon_origin_cache_hits_total'), misses: value('axon_origin_cache_misses_total') };
    };
    write(ID, 'b1/r1/seg-0-00003.m4s', SEGMENT);
    const before = await counters();
    for (let i = 0; i < 3; i++) expect((await get(`/live/${ID}/b1/r1/seg-0-00003.m4s`)).body.equals(SEGMENT)).toBe(true);
    expect(await counters()).toEqual({ hits: before.hits + 2, misses: before.misses + 1 });

    fs.rmSync(path.join(config.mediaDir, ID, 'b1/r1/seg-0-00003.m4s'));
    expect((await get(`/live/${ID}/b1/r1/seg-0-00003.m4s`)).status).toBe(404);
  });

  it('answers 404 for missing files, directories and files that are not stream files', async () => {
    for (const rel of ['nope.m3u8', 'b1/r1/seg-0-09999.m4s', 'b1', 'b1/r1/', 'notes.txt', 'manifest.mpd.tmp', 'b1/recording.mp4', '']) {
      const res = await get(`/live/${ID}/${rel}`);
      expect(res.status, rel).toBe(404);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(JSON.parse(res.body.toString())).toEqual({ error: 'not found' });
    }
    expect((await get(`/live/unknownLivestream/master.m3u8`)).status).toBe(404);
  });

  it('refuses invalid livestream ids', async () => {
    for (const id of ['bad!id123', 'short', '..', '%2e%2e', 'x'.repeat(65), `${ID}%2f..`]) {
      const res = await get(`/live/${id}/master.m3u8`);
      expect(res.status, id).toBe(400);
      expect(JSON.parse(res.body.toString())).toEqual({ error: 'invalid livestream id' });
    }
  });

  it.each([
    `/live/${ID}/..%2f..%2faxon.db`,
    `/live/${ID}/..%2F..%2Fapi-token`,
    `/live/${ID}/%2e%2e/%2e%2e/axon.db`,
    `/live/${ID}/../../axon.db`,
    `/live/${ID}/..\\..\\axon.db`,
    `/live/${ID}/..%5c..%5caxon.db`,
    `/live/${ID}/master.m3u8%00`,
    `/live/${ID}/master.m3u8%00.m4s`,
    `/live/${ID}/%2fetc%2fpasswd`,
    `/live/${ID}//etc/passwd`,
    `/live/${ID}/..%2f${OTHER_ID}%2fmaster.m3u8`,
    `/live/${ID}/../${OTHER_ID}/master.m3u8`,
    `/live/${ID}/..%2ftop.m3u8`,
    `/live/${ID}/%252e%252e%252ftop.m3u8`,
    `/live/..%2f..%2f/axon.db`,
    `/live/${ID}/b1/r1/..%2f..%2f..%2f..%2f..%2faxon.db`,
  ])('refuses the traversal %s', async (urlPath) => {
    const res = await get(urlPath);
    expect([400, 404]).toContain(res.status);
    const body = res.body.toString('latin1');
    expect(body).not.toContain('SQLite format 3');
    expect(body).not.toContain('#EXTM3U');
  });

  it('never serves the database, even by a direct path', async () => {
    expect(fs.existsSync(path.join(dataDir, 'axon.db'))).toBe(true);
    for (const urlPath of ['/axon.db', '/media/../axon.db', '/live/axon.db']) {
      expect((await get(urlPath)).status, urlPath).toBe(404);
    }
  });
});
