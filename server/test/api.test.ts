import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Livestream, PublicLivestream } from '../../shared/livestream.js';
import { loadConfig } from '../src/config.js';
import { registerValue } from '../src/http/prometheus.js';
import type { Logger } from '../src/log.js';
import { startHttpServer, type TestHttpServer } from './fixtures/http-server.js';
import { IdleSession, idleIngest } from './fixtures/idle-session.js';
import { requestFrom } from './fixtures/request-from.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const TOKEN = 'test-admin-token-0123456789';
const PUBLIC_URL = 'https://tv.example.org:8443';

/** No broadcast runs here: a session that is live until stopped. */

interface LogLine {
  level: string;
  text: string;
}
function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, text: `${msg} ${JSON.stringify(fields ?? {})}` });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => recordingLogger(lines) };
}

interface Server extends TestHttpServer {
  viewers: Map<string, number>;
  /** What the server's own series (live sessions, FFmpeg processes) read at the next scrape. */
  metrics: { next: () => Promise<{ sessions: number; ffmpeg: number }> };
  logs: LogLine[];
}

async function startServer(dataDir: string, env: Record<string, string> = { AXON_API_TOKEN: TOKEN }, clientDir?: string): Promise<Server> {
  const viewers = new Map<string, number>();
  const metrics: Server['metrics'] = { next: async () => ({ sessions: 0, ffmpeg: 0 }) };
  const registry = new Registry();
  registerValue(registry, { name: 'axon_live_sessions', help: 'Live broadcasts' }, async () => (await metrics.next()).sessions);
  registerValue(registry, { name: 'axon_ffmpeg_processes', help: 'FFmpeg processes' }, async () => (await metrics.next()).ffmpeg);
  const logs: LogLine[] = [];
  const server = await startHttpServer({
    config: loadConfig({ AXON_DATA_DIR: dataDir, AXON_PUBLIC_URL: PUBLIC_URL, RTMP_PORT: '1935', ...env }),
    log: recordingLogger(logs),
    createSession: (id) => new IdleSession(id),
    viewerCount: (id) => viewers.get(id) ?? 0,
    metrics: registry,
    clientDir,
    register: async (app) => {
      app.get('/test/throws', () => {
        throw new Error('handler blew up');
      });
    },
  });
  return { ...server, viewers, metrics, logs };
}

interface CallOptions {
  token?: string | null;
  authorization?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
}

async function call(server: Server, method: string, url: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  else if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined || opts.body !== undefined) {
    body = opts.rawBody ?? JSON.stringify(opts.body);
    headers['content-type'] = opts.contentType ?? 'application/json';
  }
  const res = await fetch(server.base + url, { method, headers, body });
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.startsWith('application/json') ?? false;
  return { status: res.status, headers: res.headers, text, json: isJson ? JSON.parse(text) : undefined };
}

const tempDir = tempDirs();
const makeTempDir = () => tempDir('axon-api-');

describe('livestream API', () => {
  let server: Server;
  const keysSeen = new Set<string>();
  const create = async (name = 'My stream', extra: object = {}): Promise<Livestream> => {
    const res = await call(server, 'POST', '/api/livestreams', { body: { name, ...extra } });
    expect(res.status).toBe(201);
    keysSeen.add(res.json.streamKey);
    return res.json;
  };

  beforeEach(async () => {
    server = await startServer(makeTempDir());
  });
  afterEach(async () => {
    // The stream key never reaches a log line.
    for (const line of server.logs) for (const key of keysSeen) expect(line.text).not.toContain(key);
    await server.close();
  });

  it('answers /healthz', async () => {
    const res = await call(server, 'GET', '/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
  });

  it('answers the server clock at /api/time for DASH players', async () => {
    const before = Date.now();
    const res = await call(server, 'GET', '/api/time', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const at = Date.parse(res.text);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('creates a livestream and answers the full resource', async () => {
    const res = await call(server, 'POST', '/api/livestreams', { body: { name: '  Launch day  ' } });
    expect(res.status).toBe(201);
    const ls = res.json as Livestream;
    keysSeen.add(ls.streamKey);
    expect(res.headers.get('location')).toBe(`/api/livestreams/${ls.id}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(ls.id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(ls.streamKey).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(ls.streamKey).not.toBe(ls.id);
    expect(ls).toEqual({
      id: ls.id,
      name: 'Launch day',
      streamKey: ls.streamKey,
      status: 'offline',
      viewers: 0,
      record: true,
      dvrWindowS: null,
      topRung: null,
      enabled: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      rtmpUrl: 'rtmp://tv.example.org:1935/live',
      // This server has no certificate, so no RTMPS.
      rtmpsUrl: null,
      whipUrl: `${PUBLIC_URL}/whip/${ls.id}`,
      playerUrl: `${PUBLIC_URL}/watch/${ls.id}`,
      embedHtml: expect.stringContaining(`<iframe src="${PUBLIC_URL}/embed/${ls.id}"`),
      hlsUrl: `${PUBLIC_URL}/live/${ls.id}/master.m3u8`,
      dashUrl: `${PUBLIC_URL}/live/${ls.id}/manifest.mpd`,
      // Not live yet: no picture.
      thumbnailUrl: null,
    });
    expect(ls.embedHtml).toMatch(/allow="autoplay; fullscreen/);
    expect((await create('Not recorded', { record: false })).record).toBe(false);
  });

  describe('refuses requests without the right token', () => {
    const adminCalls: [string, string, unknown?][] = [
      ['POST', '/api/livestreams', { name: 'x' }],
      ['GET', '/api/livestreams'],
      ['PATCH', '/api/livestreams/ID', { name: 'y' }],
      ['DELETE', '/api/livestreams/ID'],
      ['POST', '/api/livestreams/ID/rotate-key'],
    ];

    it.each(adminCalls)('%s %s', async (method, url, body) => {
      const { id } = await create();
      const before = await server.livestreams.get(id);
      const target = url.replace('ID', id);
      const missing = await call(server, method, target, { token: null, body });
      expect(missing.status).toBe(401);
      expect(missing.json).toEqual({ error: expect.any(String) });
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two words', TOKEN]) {
        const malformed = await call(server, method, target, { authorization, body });
        expect(malformed.status, authorization).toBe(401);
        expect(malformed.json.error).toMatch(/malformed/);
      }
      const wrong = await call(server, method, target, { token: `${TOKEN}x`, body });
      expect(wrong.status).toBe(403);
      expect(wrong.json).toEqual({ error: 'wrong API token' });
      // Nothing happened.
      expect(await server.livestreams.get(id)).toEqual(before);
      expect((await server.livestreams.list({ limit: 10 })).items).toHaveLength(1);
    });

    it('accepts the scheme in any case', async () => {
      expect((await call(server, 'GET', '/api/livestreams', { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    });
  });

  describe('validates input', () => {
    it.each([
      ['an unknown field', { name: 'x', colour: 'red' }, /colour/],
      ['a name that is not a string', { name: 5 }, /name/],
      ['a record flag that is not a boolean', { name: 'x', record: 'yes' }, /record/],
      ['an empty name', { name: '' }, /name must not be empty/],
      ['a blank name', { name: '   ' }, /name must not be empty/],
      ['a 201-character name', { name: 'x'.repeat(201) }, /longer than 200/],
      ['no name', {}, /name/],
      ['an array', [{ name: 'x' }], /expected object/],
    ])('POST refuses %s', async (_what, body, message) => {
      const res = await call(server, 'POST', '/api/livestreams', { body });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(message);
    });

    it('POST accepts a 200-character name', async () => {
      expect((await create('n'.repeat(200))).name).toHaveLength(200);
    });

    it('refuses malformed JSON, a missing body and an oversized body with 400', async () => {
      for (const rawBody of ['{"name": ', '', 'null']) {
        const res = await call(server, 'POST', '/api/livestreams', { rawBody });
        expect(res.status, rawBody).toBe(400);
        expect(res.json.error).toEqual(expect.any(String));
      }
      const huge = await call(server, 'POST', '/api/livestreams', { body: { name: 'x', pad: 'p'.repeat(100_000) } });
      expect(huge.status).toBe(400);
      expect(huge.json.error).toMatch(/too large|larger than/);
    });

    it('refuses other content types with 415', async () => {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await call(server, 'POST', '/api/livestreams', { rawBody: 'name=x', contentType });
        expect(res.status, contentType).toBe(415);
        expect(res.json.error).toEqual(expect.any(String));
      }
    });

    it('PATCH refuses unknown fields, wrong types, bad names and an empty change', async () => {
      const { id } = await create();
      for (const body of [{ colour: 'red' }, { record: 1 }, { name: '' }, { name: 'x'.repeat(201) }, {}]) {
        const res = await call(server, 'PATCH', `/api/livestreams/${id}`, { body });
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
      expect((await call(server, 'PATCH', `/api/livestreams/${id}`, { rawBody: '{' })).status).toBe(400);
      expect((await call(server, 'PATCH', `/api/livestreams/${id}`, { rawBody: 'x', contentType: 'text/plain' })).status).toBe(415);
    });

    it('PATCH takes enabled as a boolean only', async () => {
      const { id } = await create();
      for (const enabled of ['false', 0, null, 'no', {}]) {
        const res = await call(server, 'PATCH', `/api/livestreams/${id}`, { body: { enabled } });
        expect(res.status, JSON.stringify(enabled)).toBe(400);
        expect(res.json.error).toMatch(/enabled/);
      }
      expect((await call(server, 'PATCH', `/api/livestreams/${id}`, { body: { enabled: false } })).json.enabled).toBe(false);
    });

    it('answers 404 for unknown ids, 400 for malformed ones', async () => {
      const unknown = 'unknownId1234';
      for (const [method, url, body] of [
        ['GET', `/api/livestreams/${unknown}`],
        ['PATCH', `/api/livestreams/${unknown}`, { name: 'x' }],
        ['DELETE', `/api/livestreams/${unknown}`],
        ['POST', `/api/livestreams/${unknown}/rotate-key`],
      ] as const) {
        const res = await call(server, method, url, { body });
        expect(res.status, `${method} ${url}`).toBe(404);
        expect(res.json).toEqual({ error: 'no livestream with this id' });
      }
      for (const bad of ['short', 'has%20space12', 'x'.repeat(65)]) {
        expect((await call(server, 'GET', `/api/livestreams/${bad}`)).status, bad).toBe(400);
      }
      const nowhere = await call(server, 'GET', '/api/nowhere');
      expect(nowhere.status).toBe(404);
      expect(nowhere.json).toEqual({ error: 'not found' });
    });
  });

  it('lists newest first in pages with an opaque cursor', async () => {
    const names = ['one', 'two', 'three', 'four', 'five'];
    for (const n of names) await create(n);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const res = await call(server, 'GET', `/api/livestreams${query}`);
      expect(res.status).toBe(200);
      expect(res.json.items.length).toBeLessThanOrEqual(2);
      for (const item of res.json.items as Livestream[]) {
        expect(item.streamKey).toEqual(expect.any(String));
        seen.push(item.name);
      }
      cursor = res.json.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].reverse());

    const all = await call(server, 'GET', '/api/livestreams');
    expect(all.json.items).toHaveLength(5);
    expect(all.json.nextCursor).toBeNull();
  });

  it('pages 20 at a time by default', async () => {
    for (let i = 0; i < 21; i++) await create(`s${i}`);
    const res = await call(server, 'GET', '/api/livestreams');
    expect(res.json.items).toHaveLength(20);
    expect(res.json.nextCursor).toEqual(expect.any(String));
  });

  it('refuses bad list parameters', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=2.5', 'cursor=bogus', 'cursor=', 'sort=name']) {
      const res = await call(server, 'GET', `/api/livestreams?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.error).toEqual(expect.any(String));
    }
    expect((await call(server, 'GET', '/api/livestreams?limit=100')).status).toBe(200);
    expect((await call(server, 'GET', '/api/livestreams?limit=1')).status).toBe(200);
  });

  it('shows the full resource to the owner and only the public view to anyone else', async () => {
    const ls = await create();
    const full = await call(server, 'GET', `/api/livestreams/${ls.id}`);
    expect(full.status).toBe(200);
    expect(full.json).toEqual(ls);

    const anonymous = await call(server, 'GET', `/api/livestreams/${ls.id}`, { token: null });
    expect(anonymous.status).toBe(200);
    const view = anonymous.json as PublicLivestream;
    expect(Object.keys(view).sort()).toEqual(
      ['createdAt', 'dashUrl', 'embedHtml', 'hlsUrl', 'id', 'name', 'playerUrl', 'status', 'thumbnailUrl', 'viewers'].sort(),
    );
    expect(anonymous.text).not.toContain(ls.streamKey);
    expect(anonymous.text).not.toContain('rtmp://');
    expect(anonymous.text).not.toContain('/whip/');

    expect((await call(server, 'GET', `/api/livestreams/${ls.id}`, { token: 'wrong-token-wrong-token' })).status).toBe(403);
    expect((await call(server, 'GET', `/api/livestreams/${ls.id}`, { authorization: 'Token abc' })).status).toBe(401);
  });

  it('reports live status and viewers', async () => {
    const ls = await create();
    server.viewers.set(ls.id, 42);
    await (await server.registry.reserve(ls.id)).start(idleIngest);
    const res = await call(server, 'GET', `/api/livestreams/${ls.id}`, { token: null });
    expect(res.json).toMatchObject({ status: 'live', viewers: 42 });
  });

  it('reports starting while a publisher holds the livestream and nothing is playable yet', async () => {
    const ls = await create();
    const status = async () => (await call(server, 'GET', `/api/livestreams/${ls.id}`, { token: null })).json.status;
    const reservation = await server.registry.reserve(ls.id);
    expect(await status()).toBe('starting');
    const session = (await reservation.start(idleIngest)) as IdleSession;
    session.state = 'starting';
    expect(await status()).toBe('starting');
    session.state = 'live';
    expect(await status()).toBe('live');
    await session.stop('test over');
    expect(await status()).toBe('offline');
  });

  it('updates name and record', async () => {
    const ls = await create();
    const res = await call(server, 'PATCH', `/api/livestreams/${ls.id}`, { body: { name: 'Renamed', record: false } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ...ls, name: 'Renamed', record: false, embedHtml: ls.embedHtml.replace('My stream', 'Renamed') });
    // Each field is changed only when given.
    const renamed = await call(server, 'PATCH', `/api/livestreams/${ls.id}`, { body: { name: 'Again' } });
    expect(renamed.json).toMatchObject({ name: 'Again', record: false });
    const recorded = await call(server, 'PATCH', `/api/livestreams/${ls.id}`, { body: { record: true } });
    expect(recorded.json).toMatchObject({ name: 'Again', record: true });
    expect((await call(server, 'GET', `/api/livestreams/${ls.id}`)).json).toEqual(recorded.json);
  });

  it('keeps a top rung setting from create and PATCH, null going back to the server one, and refuses any other value', async () => {
    const created = await call(server, 'POST', '/api/livestreams', { body: { name: 'Encoded', topRung: 'encode' } });
    expect(created.json.topRung).toBe('encode');
    const url = `/api/livestreams/${created.json.id}`;
    expect((await call(server, 'PATCH', url, { body: { topRung: 'auto' } })).json.topRung).toBe('auto');
    expect((await call(server, 'PATCH', url, { body: { topRung: null } })).json.topRung).toBeNull();
    const refused = await call(server, 'PATCH', url, { body: { topRung: 'copy' } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatch(/topRung must be "auto" or "encode"/);
    expect((await call(server, 'POST', '/api/livestreams', { body: { name: 'x', topRung: 1 } })).status).toBe(400);
  });

  it('rotates the key: the broadcast published with the old one ends, the old key is refused at once, the new one accepted', async () => {
    const ls = await create();
    const session = (await (await server.registry.reserve(ls.id)).start(idleIngest)) as IdleSession;
    const res = await call(server, 'POST', `/api/livestreams/${ls.id}/rotate-key`);
    expect(res.status).toBe(200);
    const rotated = res.json as Livestream;
    keysSeen.add(rotated.streamKey);
    // Answered once the broadcast has ended.
    expect(rotated).toEqual({ ...ls, status: 'offline', streamKey: expect.any(String) });
    expect(session.stopReason).toBe('the stream key was rotated; publish again with the new key');
    expect(server.registry.isLive(ls.id)).toBe(false);
    expect(rotated.streamKey).not.toBe(ls.streamKey);
    expect(await server.livestreams.authorizePublish(ls.id, ls.streamKey)).toBe('wrong_key');
    expect(await server.livestreams.authorizePublish(ls.id, rotated.streamKey)).toBe('ok');
    expect((await call(server, 'GET', `/api/livestreams/${ls.id}`)).json.streamKey).toBe(rotated.streamKey);
  });

  it('disables: ends the broadcast, refuses every publish until enabled again, keeps the media', async () => {
    const ls = await create();
    fs.mkdirSync(path.join(server.config.mediaDir, ls.id), { recursive: true });
    fs.writeFileSync(path.join(server.config.mediaDir, ls.id, 'master.m3u8'), '#EXTM3U\n');
    const session = (await (await server.registry.reserve(ls.id)).start(idleIngest)) as IdleSession;
    // Other changes leave the broadcast alone.
    await call(server, 'PATCH', `/api/livestreams/${ls.id}`, { body: { name: 'Renamed', enabled: true } });
    expect(session.state).toBe('live');

    const res = await call(server, 'PATCH', `/api/livestreams/${ls.id}`, { body: { enabled: false } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ enabled: false, status: 'offline', streamKey: ls.streamKey });
    expect(session.stopReason).toBe('the livestream was disabled');
    expect(server.registry.isLive(ls.id)).toBe(false);
    expect(await server.livestreams.authorizePublish(ls.id, ls.streamKey)).toBe('disabled');
    expect(await server.livestreams.authorizePublish(ls.id, 'not-the-key')).toBe('wrong_key');
    expect(await server.livestreams.resolveStreamKey(ls.streamKey)).toEqual({ livestreamId: ls.id, result: 'disabled' });
    expect(fs.existsSync(path.join(server.config.mediaDir, ls.id, 'master.m3u8'))).toBe(true);
    // Owner-only, like the key: the public view does not say.
    expect((await call(server, 'GET', `/api/livestreams/${ls.id}`)).json.enabled).toBe(false);
    expect((await call(server, 'GET', `/api/livestreams/${ls.id}`, { token: null })).json).not.toHaveProperty('enabled');

    expect((await call(server, 'PATCH', `/api/livestreams/${ls.id}`, { body: { enabled: true } })).json.enabled).toBe(true);
    expect(await server.livestreams.authorizePublish(ls.id, ls.streamKey)).toBe('ok');
  });

  it('deletes: ends the broadcast, removes the media, forgets the livestream', async () => {
    const ls = await create();
    const other = await create('Other');
    const { mediaDir } = server.config;
    for (const id of [ls.id, other.id]) {
      fs.mkdirSync(path.join(mediaDir, id, 'b1'), { recursive: true });
      fs.writeFileSync(path.join(mediaDir, id, 'master.m3u8'), '#EXTM3U\n');
    }
    const session = (await (await server.registry.reserve(ls.id)).start(idleIngest)) as IdleSession;
    expect(server.registry.isLive(ls.id)).toBe(true);

    const res = await call(server, 'DELETE', `/api/livestreams/${ls.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(session.stopReason).toBe('livestream deleted');
    expect(server.registry.isLive(ls.id)).toBe(false);
    expect(fs.existsSync(path.join(mediaDir, ls.id))).toBe(false);
    expect(fs.existsSync(path.join(mediaDir, other.id, 'master.m3u8'))).toBe(true);
    expect((await call(server, 'GET', `/api/livestreams/${ls.id}`)).status).toBe(404);
    expect(await server.livestreams.authorizePublish(ls.id, ls.streamKey)).toBe('unknown_livestream');
    expect((await call(server, 'DELETE', `/api/livestreams/${ls.id}`)).status).toBe(404);
    expect((await call(server, 'GET', `/api/livestreams/${other.id}`)).status).toBe(200);
  });

  it('publishes an OpenAPI 3.1 document generated from the validation schemas', async () => {
    const res = await call(server, 'GET', '/api/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = res.json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/livestreams',
        '/api/livestreams/{id}',
        '/api/livestreams/{id}/rotate-key',
        '/api/livestreams/{id}/recordings',
        '/api/livestreams/{id}/recordings/{recordingId}',
        '/api/livestreams/{id}/restreams',
        '/api/livestreams/{id}/restreams/{restreamId}',
        '/api/webhooks',
        '/api/webhooks/{id}',
        '/api/webhooks/{id}/deliveries',
      ].sort(),
    );
    expect(doc.components.schemas.CreateLivestreamRequest).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, record: { type: 'boolean', default: true } },
    });
    expect(doc.components.schemas.UpdateLivestreamRequest).toMatchObject({ type: 'object', additionalProperties: false, minProperties: 1 });
    expect(doc.components.schemas.Livestream.required).toEqual(expect.arrayContaining(['streamKey', 'rtmpUrl', 'whipUrl']));
    expect(doc.components.schemas.PublicLivestream.properties).not.toHaveProperty('streamKey');
    expect(doc.paths['/api/livestreams'].get.parameters).toEqual([
      { name: 'limit', in: 'query', schema: expect.objectContaining({ minimum: 1, maximum: 100, default: 20 }) },
      { name: 'cursor', in: 'query', schema: expect.objectContaining({ type: 'string' }) },
    ]);
  });

  it('serves Prometheus metrics from its dependency', async () => {
    server.metrics.next = async () => ({ sessions: 3, ffmpeg: 1 });
    const res = await call(server, 'GET', '/metrics', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE axon_live_sessions gauge\naxon_live_sessions 3\n');
    expect(res.text).toContain('axon_ffmpeg_processes 1\n');
  });

  it('answers a failing handler with a JSON 500, logs one line, and keeps serving', async () => {
    server.metrics.next = () => Promise.reject(new Error('mediasoup is gone'));
    const failed = await call(server, 'GET', '/metrics');
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({ error: 'internal server error' });
    const thrown = await call(server, 'GET', '/test/throws');
    expect(thrown.status).toBe(500);
    expect(thrown.json).toEqual({ error: 'internal server error' });

    const errors = server.logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]!.text).toContain('mediasoup is gone');
    expect(errors[1]!.text).toContain('/test/throws');
    expect(errors.map((l) => l.text).join()).not.toContain(TOKEN);
    expect((await call(server, 'GET', '/healthz')).status).toBe(200);
    expect((await call(server, 'POST', '/api/livestreams', { body: { name: 'still works' } })).status).toBe(201);
  });
});

describe('persistence', () => {
  it('keeps livestreams and their keys across a restart', async () => {
    const dataDir = makeTempDir();
    const first = await startServer(dataDir);
    const created = (await call(first, 'POST', '/api/livestreams', { body: { name: 'Survivor', record: false } })).json as Livestream;
    await call(first, 'POST', `/api/livestreams/${created.id}/rotate-key`);
    const rotated = (await call(first, 'GET', `/api/livestreams/${created.id}`)).json as Livestream;
    await first.close();

    const second = await startServer(dataDir);
    try {
      const res = await call(second, 'GET', `/api/livestreams/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual(rotated);
      expect(await second.livestreams.authorizePublish(created.id, rotated.streamKey)).toBe('ok');
      expect(await second.livestreams.authorizePublish(created.id, created.streamKey)).toBe('wrong_key');
    } finally {
      await second.close();
    }
    expect(fs.statSync(path.join(dataDir, 'axon.db')).mode & 0o777).toBe(0o600);
  });

  it('generates the admin token when AXON_API_TOKEN is unset, keeps it 0600 and reuses it', async () => {
    const dataDir = makeTempDir();
    const first = await startServer(dataDir, {});
    const file = path.join(dataDir, 'api-token');
    const token = fs.readFileSync(file, 'utf8').trim();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(first.logs.filter((l) => l.text.includes(token))).toHaveLength(1);
    expect((await call(first, 'GET', '/api/livestreams', { token })).status).toBe(200);
    expect((await call(first, 'GET', '/api/livestreams')).status).toBe(403);
    await first.close();

    const second = await startServer(dataDir, {});
    try {
      expect(fs.readFileSync(file, 'utf8').trim()).toBe(token);
      expect(second.logs.some((l) => l.text.includes(token))).toBe(false);
      expect((await call(second, 'GET', '/api/livestreams', { token })).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('pages', () => {
  let server: Server;
  let clientDir: string;
  const pageFiles = ['index.html', 'studio.html', 'watch.html', 'embed.html'];

  beforeAll(async () => {
    const dataDir = makeTempDir();
    clientDir = path.join(dataDir, 'client');
    fs.mkdirSync(path.join(clientDir, 'assets'), { recursive: true });
    for (const f of pageFiles) fs.writeFileSync(path.join(clientDir, f), `<!doctype html><title>${f}</title>`);
    fs.writeFileSync(path.join(clientDir, 'assets', 'watch-Ab12_x.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dataDir, 'secret.js'), 'secret');
    server = await startServer(dataDir, { AXON_API_TOKEN: TOKEN }, clientDir);
  });
  afterAll(() => server.close());

  it.each([
    ['/', 'index.html', "frame-ancestors 'self'"],
    ['/studio/anyLivestream1', 'studio.html', "frame-ancestors 'self'"],
    ['/watch/anyLivestream1', 'watch.html', "frame-ancestors 'self'"],
    ['/embed/anyLivestream1', 'embed.html', 'frame-ancestors *'],
  ])('%s serves %s with its security headers', async (url, file, frameAncestors) => {
    const res = await call(server, 'GET', url, { token: null });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<title>${file}</title>`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp.split(';')).toContain(frameAncestors);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("object-src 'none'");
    // The player reads manifests from AXON_PUBLIC_URL, which may differ from the page's own address.
    expect(csp).toContain(`connect-src 'self' ${PUBLIC_URL}`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    // Served over plain HTTP here: HSTS would be meaningless (the TLS tests check it is sent over HTTPS).
    expect(res.headers.get('strict-transport-security')).toBeNull();
    if (file === 'embed.html') expect(res.headers.get('x-frame-options')).toBeNull();
    else expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('sends API answers, errors included, with headers that forbid framing and sniffing', async () => {
    for (const url of ['/api/livestreams', '/api/livestreams/unknownLs123', '/healthz', '/no/such/route']) {
      const res = await call(server, 'GET', url);
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), url).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), url).toBe('DENY');
      expect(res.headers.get('content-security-policy'), url).toBe("default-src 'none';frame-ancestors 'none'");
    }
  });

  it('leaves media answers without them (the hot path of viewers)', async () => {
    const res = await call(server, 'GET', '/live/anyLivestream1/master.m3u8', { token: null });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('checks the id format on page routes', async () => {
    for (const url of ['/watch/bad!id', '/studio/short', '/embed/x']) {
      expect((await call(server, 'GET', url, { token: null })).status, url).toBe(400);
    }
  });

  it('serves hashed assets as immutable, nothing outside assets/', async () => {
    const res = await call(server, 'GET', '/assets/watch-Ab12_x.js', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const url of ['/assets/missing-1.js', '/assets/..%2f..%2fsecret.js', '/assets/%2e%2e/index.html']) {
      expect((await call(server, 'GET', url, { token: null })).status, url).toBe(404);
    }
  });

  it('answers 503 with a clear message while the client is not built', async () => {
    const unbuilt = await startServer(makeTempDir());
    try {
      for (const url of ['/', '/watch/anyLivestream1', '/embed/anyLivestream1']) {
        const res = await call(unbuilt, 'GET', url, { token: null });
        expect(res.status, url).toBe(503);
        expect(res.json.error).toMatch(/npm run build:client/);
      }
    } finally {
      await unbuilt.close();
    }
  });
});

describe('request rate limit per client address', () => {
  let server: Server;

  beforeAll(async () => {
    server = await startServer(makeTempDir(), { AXON_API_TOKEN: TOKEN, AXON_RATE_LIMIT: '5' });
  });
  afterAll(() => server.close());

  const from = (localAddress: string, method: string, url: string, headers: Record<string, string> = {}) =>
    requestFrom(localAddress, `${server.base}${url}`, { method, headers });

  it('refuses an address over the limit with 429 and Retry-After, and only that address', async () => {
    const admin = { authorization: `Bearer ${TOKEN}` };
    for (let i = 0; i < 5; i++) expect((await from('127.0.0.2', 'GET', '/api/livestreams', admin)).status).toBe(200);
    const refused = await from('127.0.0.2', 'GET', '/api/livestreams', admin);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body).error).toMatch(/^too many requests from your address \(5 a minute\): try again in/);
    // Another address is served.
    expect((await from('127.0.0.3', 'GET', '/api/livestreams', admin)).status).toBe(200);
  });

  it('never limits what every viewer asks for: public reads, media, pages, health', async () => {
    const created = await call(server, 'POST', '/api/livestreams', { body: { name: 'watched' } });
    expect(created.status).toBe(201);
    for (let i = 0; i < 20; i++) {
      for (const url of [`/api/livestreams/${created.json.id}`, '/api/time', `/live/${created.json.id}/master.m3u8`, '/healthz']) {
        expect((await from('127.0.0.4', 'GET', url)).status, url).not.toBe(429);
      }
    }
  });
});
