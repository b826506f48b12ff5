import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESTREAM_TARGETS_MAX, type RestreamTarget } from '../../shared/restream.js';
import { loadConfig } from '../src/config.js';
import { AdminAuth } from '../src/http/admin-auth.js';
import { restreamRoutes } from '../src/http/routes/restreams.js';
import { RestreamService } from '../src/restream/restream-service.js';
import { SqliteRestreamRepository } from '../src/restream/sqlite-restream-repository.js';
import { apiCaller } from './fixtures/api-call.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { startHttpServer, type TestHttpServer } from './fixtures/http-server.js';
import { IdleSession } from './fixtures/idle-session.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const TOKEN = 'restreams-api-token-0123456789';
const KEY = 'live_123456789_SecretKeyAbcdefXyz9';
const makeTempDir = tempDirs();
const log = capturedLogger();

let server: TestHttpServer;
let restreams: RestreamService;
let livestreamId: string;

beforeAll(async () => {
  const config = loadConfig({ AXON_DATA_DIR: makeTempDir('axon-restreams-api-'), AXON_API_TOKEN: TOKEN });
  server = await startHttpServer({
    config,
    log,
    createSession: (id) => new IdleSession(id),
    register: async (app, { db, livestreams }) => {
      restreams = new RestreamService({ repository: new SqliteRestreamRepository(db), ffmpegPath: 'ffmpeg', config: config.restream, log });
      await app.register(restreamRoutes, { restreams, livestreams, auth: new AdminAuth(TOKEN) });
    },
  });
  livestreamId = (await server.livestreams.create({ name: 'restreamed', record: false })).id;
});

afterAll(async () => {
  await restreams.close();
  await server.close();
});

beforeEach(() => {
  server.db.exec('DELETE FROM restream_targets');
});

const call = apiCaller(() => server.base, TOKEN);

const path = (suffix = '') => `/api/livestreams/${livestreamId}/restreams${suffix}`;
const youtube = { name: 'YouTube', url: 'rtmp://a.rtmp.youtube.com/live2', streamKey: KEY };

describe('restream targets API', () => {
  it('creates, lists, changes and deletes a target, showing its key only masked', async () => {
    const created = await call('POST', path(), { body: youtube });
    expect(created.status).toBe(201);
    const target = created.json as RestreamTarget;
    expect(target).toMatchObject({ name: 'YouTube', url: youtube.url, streamKeyMasked: '…Xyz9', enabled: true, status: 'idle', reason: null, source: null });
    expect(target.id).toMatch(/^rs_/);

    const listed = await call('GET', path());
    expect(listed.json).toEqual({ items: [target] });
    expect((await call('GET', path(`/${target.id}`))).json).toEqual(target);

    const patched = await call('PATCH', path(`/${target.id}`), { body: { enabled: false, streamKey: 'another-key-5678' } });
    expect(patched.json).toMatchObject({ id: target.id, enabled: false, streamKeyMasked: '…5678', name: 'YouTube' });

    expect((await call('DELETE', path(`/${target.id}`))).status).toBe(204);
    expect((await call('GET', path(`/${target.id}`))).status).toBe(404);
    expect((await call('DELETE', path(`/${target.id}`))).status).toBe(404);

    for (const answer of [created, listed, patched]) expect(answer.text).not.toContain(KEY);
    expect(log.lines.map((l) => l.text).join('\n')).not.toContain(KEY);
  });

  it('is for the owner only, and only on livestreams that exist', async () => {
    expect((await call('GET', path(), { token: null })).status).toBe(401);
    expect((await call('POST', path(), { body: youtube, token: 'wrong-token-0123456789' })).status).toBe(403);
    expect((await call('GET', '/api/livestreams/nosuchlivestream/restreams')).status).toBe(404);
    expect((await call('PATCH', path('/rs_nosuchtarget0'), { body: { enabled: true } })).status).toBe(404);
    expect((await call('PATCH', path('/not-an-id'), { body: { enabled: true } })).status).toBe(400);
  });

  it.each([
    ['an http URL', { url: 'https://a.rtmp.youtube.com/live2' }, /rtmp:\/\/ or rtmps:\/\//],
    ['a URL that does not parse', { url: 'rtmp://' }, /url:/],
    ['a URL with credentials', { url: 'rtmp://user:pass@live.example.com/app' }, /user name or password/],
    ['a URL with a query', { url: 'rtmp://live.example.com/app?key=abc' }, /query/],
    ['a key with a control character', { streamKey: 'abc\u0007def' }, /control characters/],
    ['a key with a line break', { streamKey: 'abc\ndef' }, /control characters/],
    ['an empty key', { streamKey: '' }, /streamKey/],
    ['a key too long', { streamKey: 'k'.repeat(513) }, /longer than 512/],
    ['an empty name', { name: ' ' }, /name/],
    ['a name too long', { name: 'n'.repeat(101) }, /longer than 100/],
    ['an unknown field', { priority: 1 }, /priority|unrecognized/i],
  ])('refuses %s with a 400 that says why', async (_what, change, message) => {
    const answer = await call('POST', path(), { body: { ...youtube, ...change } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(message);
    expect((await call('GET', path())).json.items).toEqual([]);
  });

  it('refuses a PATCH that changes nothing or to a bad URL', async () => {
    const { json } = await call('POST', path(), { body: youtube });
    expect((await call('PATCH', path(`/${json.id}`), { body: {} })).status).toBe(400);
    expect((await call('PATCH', path(`/${json.id}`), { body: { url: 'srt://x.example.com' } })).status).toBe(400);
  });

  it('is described in the OpenAPI document, the key write-only', async () => {
    const doc = (await call('GET', '/api/openapi.json', { token: null })).json;
    expect(Object.keys(doc.paths['/api/livestreams/{id}/restreams/{restreamId}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(doc.components.schemas.CreateRestreamRequest).toMatchObject({ additionalProperties: false, required: ['name', 'url', 'streamKey'] });
    expect(doc.components.schemas.RestreamTarget.properties).not.toHaveProperty('streamKey');
  });

  it(`takes at most ${RESTREAM_TARGETS_MAX} targets per livestream`, async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => call('POST', path(), { body: { ...youtube, name: `target ${i}` } })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(RESTREAM_TARGETS_MAX);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.every((a) => a.status === 400 && /already has 10 restream targets/.test(a.json.error))).toBe(true);
    expect((await call('GET', path())).json.items).toHaveLength(RESTREAM_TARGETS_MAX);
  });
});
