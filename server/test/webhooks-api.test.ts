import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES, WEBHOOKS_MAX, type CreatedWebhook, type WebhookDeliveryList } from '../../shared/webhooks.js';
import { loadConfig } from '../src/config.js';
import { AdminAuth } from '../src/http/admin-auth.js';
import { webhookRoutes } from '../src/http/routes/webhooks.js';
import { SqliteWebhookRepository } from '../src/webhooks/sqlite-webhook-repository.js';
import { WebhookService } from '../src/webhooks/webhook-service.js';
import { apiCaller } from './fixtures/api-call.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { startHttpServer, type TestHttpServer } from './fixtures/http-server.js';
import { IdleSession } from './fixtures/idle-session.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const TOKEN = 'webhooks-api-token-0123456789';
const makeTempDir = tempDirs();
const log = capturedLogger();

let server: TestHttpServer;
let webhooks: WebhookService;

beforeAll(async () => {
  server = await startHttpServer({
    config: loadConfig({ AXON_DATA_DIR: makeTempDir('axon-webhooks-api-'), AXON_API_TOKEN: TOKEN }),
    log,
    createSession: (id) => new IdleSession(id),
    register: async (app, { db }) => {
      // As main.ts does; not started: these tests read the queue without sending it.
      webhooks = new WebhookService({ repository: new SqliteWebhookRepository(db), log });
      await app.register(webhookRoutes, { webhooks, auth: new AdminAuth(TOKEN) });
    },
  });
});

afterAll(async () => {
  await webhooks.close();
  await server.close();
});

beforeEach(() => {
  server.db.exec('DELETE FROM webhooks');
});

const call = apiCaller(() => server.base, TOKEN);

const create = async (body: object = { url: 'https://hooks.example.com/axon?team=7' }) => {
  const res = await call('POST', '/api/webhooks', { body });
  expect(res.status, res.text).toBe(201);
  return res.json as CreatedWebhook;
};

describe('webhook API', () => {
  it('creates a webhook for every event, showing its secret once', async () => {
    const res = await call('POST', '/api/webhooks', { body: { url: 'https://hooks.example.com/axon?team=7' } });
    expect(res.status).toBe(201);
    const created = res.json as CreatedWebhook;
    expect(created).toMatchObject({ url: 'https://hooks.example.com/axon?team=7', events: [...WEBHOOK_EVENT_TYPES] });
    expect(created.id).toMatch(/^wh_/);
    expect(created.secret).toMatch(/^whsec_/);
    expect(res.headers.get('location')).toBe(`/api/webhooks/${created.id}`);
    expect(res.headers.get('cache-control')).toBe('no-store');

    const list = await call('GET', '/api/webhooks');
    expect(list.json).toEqual({ items: [{ id: created.id, url: created.url, events: created.events, createdAt: created.createdAt }] });
    const one = await call('GET', `/api/webhooks/${created.id}`);
    expect(one.json).toEqual(list.json.items[0]);
    expect(list.text + one.text).not.toContain(created.secret);
    expect(log.lines.map((l) => l.text).join('\n')).not.toContain(created.secret);
  });

  it('keeps the events asked for, once each', async () => {
    const created = await create({ url: 'http://127.0.0.1:9000/', events: ['recording.ready', 'recording.ready', 'livestream.ended'] });
    expect(created.events).toEqual(['recording.ready', 'livestream.ended']);
  });

  it.each([
    [{ url: 'ftp://files.example.com/in' }, 'url: must be an http or https URL'],
    [{ url: 'javascript:alert(1)' }, 'url: must be an http or https URL'],
    [{ url: 'not a url' }, 'url: must be an http or https URL'],
    [{ url: 'https://user:pass@hooks.example.com/' }, 'url: must not carry a user name or password'],
    [{ url: `https://hooks.example.com/${'a'.repeat(2100)}` }, 'url: url is longer than 2048 characters'],
    [{ url: 'https://hooks.example.com/', events: ['livestream.exploded'] }, 'events.0: unknown event; known: livestream.started'],
    [{ url: 'https://hooks.example.com/', events: [] }, 'events: events must name at least one event'],
    [{ url: 'https://hooks.example.com/', secret: 'mine' }, 'Unrecognized key: "secret"'],
    [{}, 'url: '],
  ])('refuses %j with a 400', async (body, error) => {
    const res = await call('POST', '/api/webhooks', { body });
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(error);
    expect((await call('GET', '/api/webhooks')).json.items).toEqual([]);
  });

  it('answers 401 without the token and 403 with another one', async () => {
    expect((await call('GET', '/api/webhooks', { token: null })).status).toBe(401);
    expect((await call('POST', '/api/webhooks', { token: 'not-the-token-at-all', body: { url: 'https://a.example/' } })).status).toBe(403);
    expect((await call('GET', '/api/webhooks')).json.items).toEqual([]);
  });

  it(`keeps at most ${WEBHOOKS_MAX} webhooks`, async () => {
    for (let i = 0; i < WEBHOOKS_MAX; i++) await webhooks.create({ url: `https://hooks.example.com/${i}`, events: ['recording.ready'] });
    const res = await call('POST', '/api/webhooks', { body: { url: 'https://hooks.example.com/one-more' } });
    expect(res.status).toBe(409);
    expect(res.json.error).toContain(`${WEBHOOKS_MAX} webhooks`);
  });

  it('deletes a webhook, and answers 404 for an unknown one and 400 for a malformed id', async () => {
    const created = await create();
    expect((await call('DELETE', `/api/webhooks/${created.id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/webhooks/${created.id}`)).status).toBe(404);
    expect((await call('GET', `/api/webhooks/${created.id}`)).status).toBe(404);
    expect((await call('GET', `/api/webhooks/${created.id}/deliveries`)).status).toBe(404);
    expect((await call('GET', '/api/webhooks/nope')).status).toBe(400);
  });

  it('changes a webhook URL or events, keeping its secret, and refuses bad changes with a 400', async () => {
    const created = await create({ url: 'https://hooks.example.com/old', events: ['recording.ready'] });
    const moved = await call('PATCH', `/api/webhooks/${created.id}`, { body: { url: 'https://hooks.example.com/new' } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.json).toEqual({ id: created.id, url: 'https://hooks.example.com/new', events: ['recording.ready'], createdAt: created.createdAt });
    expect(moved.text).not.toContain(created.secret);
    const events = await call('PATCH', `/api/webhooks/${created.id}`, { body: { events: ['livestream.ended', 'livestream.ended'] } });
    expect(events.json).toMatchObject({ url: 'https://hooks.example.com/new', events: ['livestream.ended'] });
    expect((await webhooks.repository.get(created.id))?.secret).toBe(created.secret);

    for (const [body, error] of [
      [{}, 'give url, events or both'],
      [{ url: 'ftp://files.example.com/' }, 'url: must be an http or https URL'],
      [{ events: [] }, 'events: events must name at least one event'],
      [{ secret: 'whsec_mine' }, 'Unrecognized key: "secret"'],
    ] as const) {
      const res = await call('PATCH', `/api/webhooks/${created.id}`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toContain(error);
    }
    expect((await call('GET', `/api/webhooks/${created.id}`)).json).toMatchObject({ url: 'https://hooks.example.com/new', events: ['livestream.ended'] });
    expect((await call('PATCH', '/api/webhooks/wh_0123456789abcdef', { body: { url: 'https://a.example/' } })).status).toBe(404);
    expect((await call('PATCH', '/api/webhooks/nope', { body: { url: 'https://a.example/' } })).status).toBe(400);
  });

  it('lists the delivery log newest first, a page at a time', async () => {
    const created = await create({ url: 'https://hooks.example.com/', events: ['livestream.health.warning'] });
    for (let i = 0; i < 5; i++) webhooks.emit('livestream.health.warning', { livestreamId: 'ls-0123456789', broadcastId: 'b0001', code: 'no_audio', warning: `warning ${i}` });
    const warnings = (page: WebhookDeliveryList) => page.items.map((d) => (d.payload.data as { warning: string }).warning);

    const first = (await call('GET', `/api/webhooks/${created.id}/deliveries?limit=2`)).json as WebhookDeliveryList;
    expect(warnings(first)).toEqual(['warning 4', 'warning 3']);
    expect(first.items[0]).toMatchObject({ eventType: 'livestream.health.warning', state: 'pending', attempts: 0, lastStatus: null });
    expect(first.items[0]!.payload).toMatchObject({ type: 'livestream.health.warning', data: { livestreamId: 'ls-0123456789' } });
    const second = (await call('GET', `/api/webhooks/${created.id}/deliveries?limit=2&cursor=${first.nextCursor}`)).json as WebhookDeliveryList;
    expect(warnings(second)).toEqual(['warning 2', 'warning 1']);
    const last = (await call('GET', `/api/webhooks/${created.id}/deliveries?limit=2&cursor=${second.nextCursor}`)).json as WebhookDeliveryList;
    expect(warnings(last)).toEqual(['warning 0']);
    expect(last.nextCursor).toBeNull();

    const bad = await call('GET', `/api/webhooks/${created.id}/deliveries?cursor=msg_notacursor`);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('cursor');
    expect((await call('GET', `/api/webhooks/${created.id}/deliveries?limit=0`)).status).toBe(400);
  });

  it('is documented in OpenAPI from the same schemas', async () => {
    const doc = (await call('GET', '/api/openapi.json', { token: null })).json;
    expect(doc.paths['/api/webhooks'].post.responses).toHaveProperty('409');
    expect(doc.paths['/api/webhooks/{id}/deliveries'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor']);
    expect(doc.components.schemas.CreateWebhookRequest).toMatchObject({ additionalProperties: false, required: ['url'] });
    expect(doc.components.schemas.Webhook.properties).not.toHaveProperty('secret');
    expect(doc.components.schemas.CreatedWebhook.required).toContain('secret');
    expect(doc.paths['/api/webhooks/{id}'].patch.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/UpdateWebhookRequest');
  });
});
