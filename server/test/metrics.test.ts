import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { startHttpServer, type TestHttpServer } from './fixtures/http-server.js';
import { IdleSession } from './fixtures/idle-session.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const API_TOKEN = 'metrics-test-api-token-0123';
const METRICS_TOKEN = 'metrics-test-scrape-token-0123';
const tempDir = tempDirs();

describe('GET /metrics with AXON_METRICS_TOKEN', () => {
  let server: TestHttpServer;
  const log = capturedLogger();
  const scrape = (authorization?: string) => fetch(`${server.base}/metrics`, { headers: authorization === undefined ? {} : { authorization } });

  beforeAll(async () => {
    server = await startHttpServer({
      config: loadConfig({ AXON_DATA_DIR: tempDir('axon-metrics-'), AXON_API_TOKEN: API_TOKEN, AXON_METRICS_TOKEN: METRICS_TOKEN }),
      log,
      createSession: (id) => new IdleSession(id),
      metrics: async () => [{ name: 'axon_live_sessions', help: 'Broadcasts in progress.', value: 0 }],
    });
  });
  afterAll(() => server.close());

  it('answers the bearer of the metrics token only', async () => {
    const missing = await scrape();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="axon"');
    expect(await missing.text()).not.toContain('axon_live_sessions');
    expect((await scrape('Basic abc')).status).toBe(401);
    const wrong = await scrape('Bearer not-the-metrics-token-0123');
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ error: 'wrong metrics token' });
    // The API token is for the API: a scraper holds a token that can do nothing else.
    expect((await scrape(`Bearer ${API_TOKEN}`)).status).toBe(403);

    const ok = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('axon_live_sessions 0\n');
    expect(log.lines.map((l) => l.text).join('\n')).not.toContain(METRICS_TOKEN);
  });
});
