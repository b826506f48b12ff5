import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { LogLevel } from '../src/log.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { startHttpServer, type TestHttpServer } from './fixtures/http-server.js';
import { IdleSession } from './fixtures/idle-session.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const tempDir = tempDirs();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let server: TestHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(level: LogLevel) {
  const log = capturedLogger([], level);
  server = await startHttpServer({
    config: loadConfig({ AXON_DATA_DIR: tempDir('axon-request-logs-'), AXON_API_TOKEN: 'request-logs-test-token-0123' }),
    log,
    createSession: (id) => new IdleSession(id),
  });
  const base = server.base;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
  return { log, get, requestLines: () => log.lines.filter((line) => line.json.msg === 'request').map((line) => line.json) };
}

it('gives each request an id, answers it in X-Request-Id and logs the request with it at debug', async () => {
  const { get, requestLines } = await serve('debug');
  const first = await get('/healthz');
  const second = await get('/no/such/page?token=query-secret-0123');
  const ids = [first, second].map((res) => res.headers.get('x-request-id'));
  expect(ids[0]).toMatch(UUID);
  expect(ids[1]).toMatch(UUID);
  expect(ids[0]).not.toBe(ids[1]);
  expect(requestLines()).toEqual([
    expect.objectContaining({ level: 'debug', component: 'test:http', reqId: ids[0], method: 'GET', path: '/healthz', status: 200 }),
    expect.objectContaining({ reqId: ids[1], path: '/no/such/page', status: 404 }),
  ]);
  expect(JSON.stringify(requestLines())).not.toContain('query-secret-0123');
});

it('keeps a sane incoming X-Request-Id and replaces one that is not', async () => {
  const { get, requestLines } = await serve('debug');
  const kept = await get('/healthz', { 'x-request-id': 'edge-7f3a.42:trace=1' });
  expect(kept.headers.get('x-request-id')).toBe('edge-7f3a.42:trace=1');
  for (const insane of ['two words', 'x'.repeat(129), 'new\u00e9line']) {
    expect((await get('/healthz', { 'x-request-id': insane })).headers.get('x-request-id')).toMatch(UUID);
  }
  expect(requestLines().map((line) => line.reqId)).toContain('edge-7f3a.42:trace=1');
});

it('writes no line per successful request at the default level', async () => {
  const { log, get } = await serve('info');
  // Fastify's own line at listen ("Server listening at") is the app's, not a request's.
  log.lines.length = 0;
  for (let i = 0; i < 20; i++) expect((await get('/healthz')).status).toBe(200);
  expect((await get('/no/such/page')).status).toBe(404);
  expect(log.lines).toEqual([]);
});
