import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Livestream } from '../../shared/livestream.js';
import type { Recording, RecordingList } from '../../shared/recording.js';
import { loadConfig } from '../src/config.js';
import { AdminAuth } from '../src/http/admin-auth.js';
import { buildHttpApp } from '../src/http/app.js';
import { recordingRoutes } from '../src/http/routes/recordings.js';
import { writeBroadcastInfo } from '../src/recordings/broadcast-info.js';
import { RecordingLibrary } from '../src/recordings/recording-library.js';
import { readRecordedSegments } from '../src/recordings/recorded-segments.js';
import { SessionRegistry } from '../src/session/session-registry.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { SqliteLivestreamRepository } from '../src/store/sqlite/livestream-repository.js';
import { SqliteRecordingRepository } from '../src/store/sqlite/recording-repository.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { makeCmafRun, SMALL_LADDER } from './fixtures/cmaf-run.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { Registry } from 'prom-client';

const makeTempDir = tempDirs();

const TOKEN = 'recordings-test-token-0123456789';
const PUBLIC_URL = 'https://tv.example.org';

let source: string;
let db: Database;
let app: FastifyInstance;
let base: string;
let mediaDir: string;
let store: SqliteRecordingRepository;
let library: RecordingLibrary;

beforeAll(async () => {
  const dataDir = makeTempDir('axon-recordings-api-');
  source = path.join(dataDir, 'source-run');
  await makeCmafRun(source, 5);
  const config = loadConfig({ AXON_DATA_DIR: dataDir, AXON_PUBLIC_URL: PUBLIC_URL, AXON_API_TOKEN: TOKEN });
  mediaDir = config.mediaDir;
  db = openDatabase(config.dataDir);
  const livestreams = new SqliteLivestreamRepository(db);
  const log = capturedLogger();
  store = new SqliteRecordingRepository(db);
  library = new RecordingLibrary({ store, mediaDir, log });
  const adminAuth = new AdminAuth(TOKEN);
  app = await buildHttpApp({
    config,
    adminAuth,
    livestreams,
    registry: new SessionRegistry(() => {
      throw new Error('no broadcasts in API tests');
    }),
    viewerCount: () => 0,
    metrics: new Registry(),
    log,
  });
  // As main.ts does.
  await app.register(recordingRoutes, { recordings: library, livestreams, auth: adminAuth, publicUrl: config.publicUrl });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await app.close();
  db.close();
});

async function call(method: string, url: string, o: { token?: string | null; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  const token = o.token === undefined ? TOKEN : o.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + url, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}

/** A finished recording of a livestream, made from a real run of segments as a broadcast leaves it. */
async function recorded(livestreamId: string, id: string): Promise<string> {
  const dir = path.join(mediaDir, livestreamId, id);
  await fsp.cp(source, path.join(dir, 'r1'), { recursive: true });
  await writeBroadcastInfo(dir, { ladder: SMALL_LADDER });
  await library.begin(livestreamId, id, new Date(Date.now() - 10_000));
  await library.complete(livestreamId, id, { timeline: await readRecordedSegments(dir, { ladder: SMALL_LADDER }), interrupted: false }, SMALL_LADDER);
  return dir;
}

describe('recordings API', () => {
  let ls: Livestream;
  beforeEach(async () => {
    ls = (await call('POST', '/api/livestreams', { body: { name: 'Talk' } })).json;
  });

  it('lists a livestream\'s recordings to anyone, newest first, with URLs the origin serves', async () => {
    expect((await call('GET', `/api/livestreams/${ls.id}/recordings`, { token: null })).json).toEqual({ items: [] });
    await recorded(ls.id, 'bfirst0001');
    await recorded(ls.id, 'bsecond001');
    const res = await call('GET', `/api/livestreams/${ls.id}/recordings`, { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { items } = res.json as RecordingList;
    expect(items.map((r) => r.id)).toEqual(['bsecond001', 'bfirst0001']);
    const rec = items[1]!;
    expect(rec).toEqual({
      id: 'bfirst0001',
      status: 'complete',
      startedAt: expect.any(String),
      endedAt: expect.any(String),
      duration: expect.closeTo(5, 1),
      hlsUrl: `${PUBLIC_URL}/live/${ls.id}/bfirst0001/master.m3u8`,
      dashUrl: `${PUBLIC_URL}/live/${ls.id}/bfirst0001/manifest.mpd`,
      playerUrl: `${PUBLIC_URL}/watch/${ls.id}?recording=bfirst0001`,
      thumbnailUrl: null,
    } satisfies Recording);
    expect(Date.parse(rec.endedAt)).toBeGreaterThan(Date.parse(rec.startedAt));

    const master = await fetch(`${base}/live/${ls.id}/bfirst0001/master.m3u8`);
    expect(master.status).toBe(200);
    expect(await master.text()).toContain('180p.m3u8');
    const media = await (await fetch(`${base}/live/${ls.id}/bfirst0001/180p.m3u8`)).text();
    expect(media).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect((await fetch(`${base}/live/${ls.id}/bfirst0001/r1/seg-0-00001.m4s`)).status).toBe(200);
    expect((await call('GET', `/api/livestreams/${ls.id}/recordings/bfirst0001`, { token: null })).json).toEqual(rec);
  });

  it('answers 404 for unknown livestreams and recordings, 400 for malformed ids', async () => {
    expect((await call('GET', '/api/livestreams/unknown-livestream-id/recordings')).status).toBe(404);
    expect((await call('GET', `/api/livestreams/${ls.id}/recordings/bnotthere01`)).json).toEqual({ error: 'no recording with this id' });
    expect((await call('GET', `/api/livestreams/${ls.id}/recordings/..%2Fetc`)).status).toBe(400);
    expect((await call('DELETE', `/api/livestreams/${ls.id}/recordings/bnotthere01`)).status).toBe(404);
    // One still being recorded is not a replay yet.
    await store.begin({ id: 'bongoing01', livestreamId: ls.id, startedAt: new Date() });
    expect((await call('GET', `/api/livestreams/${ls.id}/recordings/bongoing01`)).status).toBe(404);
  });

  it('deletes a recording with the API token only, freeing its disk', async () => {
    const dir = await recorded(ls.id, 'bdoomed001');
    const url = `/api/livestreams/${ls.id}/recordings/bdoomed001`;
    expect((await call('DELETE', url, { token: null })).status).toBe(401);
    expect((await call('DELETE', url, { token: 'wrong-token-0123456789abc' })).status).toBe(403);
    expect(fs.existsSync(dir)).toBe(true);
    expect((await call('DELETE', url)).status).toBe(204);
    expect(fs.existsSync(dir)).toBe(false);
    expect((await call('DELETE', url)).status).toBe(404);
    expect((await call('GET', `/api/livestreams/${ls.id}/recordings`)).json).toEqual({ items: [] });
  });

  it('removes the recordings with their livestream', async () => {
    const dir = await recorded(ls.id, 'bwithls001');
    expect((await call('DELETE', `/api/livestreams/${ls.id}`)).status).toBe(204);
    expect(fs.existsSync(dir)).toBe(false);
    expect(await store.idsOf(ls.id)).toEqual(new Set());
  });

  it('sets, validates and resets a livestream\'s DVR window', async () => {
    expect(ls.dvrWindowS).toBeNull();
    const created = await call('POST', '/api/livestreams', { body: { name: 'Long DVR', dvrWindowS: 3600 } });
    expect(created.json.dvrWindowS).toBe(3600);
    const url = `/api/livestreams/${ls.id}`;
    expect((await call('PATCH', url, { body: { dvrWindowS: 120 } })).json.dvrWindowS).toBe(120);
    expect((await call('GET', url)).json.dvrWindowS).toBe(120);
    expect((await call('GET', url, { token: null })).json).not.toHaveProperty('dvrWindowS');
    expect((await call('PATCH', url, { body: { dvrWindowS: 5 } })).json).toEqual({ error: 'dvrWindowS: dvrWindowS must be at least 6' });
    expect((await call('PATCH', url, { body: { dvrWindowS: 21_601 } })).status).toBe(400);
    expect((await call('PATCH', url, { body: { dvrWindowS: 30.5 } })).status).toBe(400);
    expect((await call('POST', '/api/livestreams', { body: { name: 'x', dvrWindowS: '300' } })).status).toBe(400);
    expect((await call('PATCH', url, { body: { dvrWindowS: null } })).json.dvrWindowS).toBeNull();
  });

  it('documents the recordings routes in OpenAPI', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/livestreams/{id}/recordings', '/api/livestreams/{id}/recordings/{recordingId}']));
    expect(doc.components.schemas.Livestream.properties).toHaveProperty('dvrWindowS');
  });
});
