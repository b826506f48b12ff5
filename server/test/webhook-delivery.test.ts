import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookEventType } from '../../shared/webhooks.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { SqliteWebhookRepository } from '../src/webhooks/sqlite-webhook-repository.js';
import type { DeliveryRecord } from '../src/webhooks/webhook-repository.js';
import { WebhookService } from '../src/webhooks/webhook-service.js';
import { capturedLogger, type LogLine } from './fixtures/captured-log.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';
import { WebhookReceiver } from './fixtures/webhook-receiver.js';

const makeTempDir = tempDirs();

let dataDir: string;
let receiver: WebhookReceiver;
let open: { db: Database; service: WebhookService }[] = [];
let logs: LogLine[];

beforeEach(async () => {
  dataDir = makeTempDir('axon-webhooks-');
  receiver = await WebhookReceiver.start();
  logs = [];
});

afterEach(async () => {
  for (const { db, service } of open.splice(0)) await closeService(db, service);
  await receiver.close();
});

/** The service on the data directory's database, as a server start opens it (short retries for the test). */
function startService(o: { retryDelaysMs?: number[]; timeoutMs?: number } = {}) {
  const db = openDatabase(dataDir);
  const service = new WebhookService({
    repository: new SqliteWebhookRepository(db),
    log: capturedLogger(logs),
    retryDelaysMs: o.retryDelaysMs ?? [100, 100, 100],
    timeoutMs: o.timeoutMs ?? 2000,
  });
  service.start();
  open.push({ db, service });
  return { db, service };
}

async function closeService(db: Database, service: WebhookService) {
  open = open.filter((o) => o.service !== service);
  await service.close();
  db.close();
}

async function subscribe(service: WebhookService, events?: WebhookEventType[]) {
  const created = await service.create({ url: receiver.url, events: events ?? ['livestream.started', 'livestream.ended'] });
  receiver.secret = created.secret;
  return created;
}

const started = { livestreamId: 'ls-0123456789', broadcastId: 'bxyz0001', protocol: 'rtmp', startedAt: '2026-12-01T10:00:00.000Z' } as const;

async function deliveriesOf(service: WebhookService, webhookId: string): Promise<DeliveryRecord[]> {
  return (await service.repository.listDeliveries(webhookId, { limit: 100 })).items;
}

describe('webhook delivery', () => {
  it('reaches a local receiver with a valid Standard Webhooks signature', async () => {
    const { service } = startService();
    const webhook = await subscribe(service);
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    service.emit('livestream.started', started);

    const [payload] = await waitFor('the delivery', () => (receiver.delivered().length > 0 ? receiver.delivered() : undefined));
    expect(payload).toMatchObject({ type: 'livestream.started', data: started });
    expect(Date.parse(payload!.timestamp)).not.toBeNaN();
    const [delivery] = await waitFor('the delivery log', async () => {
      const items = await deliveriesOf(service, webhook.id);
      return items[0]?.state === 'delivered' ? items : undefined;
    });
    expect(delivery).toMatchObject({ id: receiver.received[0]!.id, attempts: 1, lastStatus: 204, lastError: null, nextAttemptAt: null });
    expect(delivery!.id).toMatch(/^msg_/);
    // The secret is for the receiver alone.
    expect(logs.map((l) => l.text).join('\n')).not.toContain(webhook.secret.slice(6));
  });

  it('a wrong secret does not verify at the receiver', async () => {
    const { service } = startService();
    await subscribe(service);
    receiver.secret = `whsec_${Buffer.from('another secret of the right size!').toString('base64')}`;
    service.emit('livestream.started', started);
    await waitFor('the request', () => receiver.received.length > 0);
    expect(receiver.received[0]!.rejected).toMatch(/signature/i);
  });

  it('is retried with the same id while the receiver answers 500, then delivered', async () => {
    const { service } = startService({ retryDelaysMs: [100, 100, 100] });
    const webhook = await subscribe(service);
    receiver.behaviour = () => (receiver.received.length < 2 ? 500 : 200);
    service.emit('livestream.ended', { ...started, reason: 'the publisher left', endedAt: '2026-12-01T11:00:00.000Z' });

    await waitFor('the third attempt', () => receiver.delivered().length === 1);
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    expect(receiver.received.every((r) => r.payload !== undefined)).toBe(true);
    const [delivery] = await waitFor('the log', async () => {
      const items = await deliveriesOf(service, webhook.id);
      return items[0]?.state === 'delivered' ? items : undefined;
    });
    expect(delivery).toMatchObject({ attempts: 3, lastStatus: 200 });
  });

  it('fails for good once every retry is used', async () => {
    const { service } = startService({ retryDelaysMs: [50, 50] });
    const webhook = await subscribe(service);
    receiver.behaviour = () => 503;
    service.emit('livestream.started', started);
    const [delivery] = await waitFor('the failed state', async () => {
      const items = await deliveriesOf(service, webhook.id);
      return items[0]?.state === 'failed' ? items : undefined;
    });
    expect(delivery).toMatchObject({ attempts: 3, lastStatus: 503, lastError: 'the receiver answered HTTP 503', nextAttemptAt: null });
    expect(receiver.received).toHaveLength(3);
    expect(logs.some((l) => l.level === 'warn' && l.text.includes('failed for good'))).toBe(true);
  });

  it('never waits for a receiver that does not answer, holds four requests at once, and gives up on each at its deadline', async () => {
    const { service } = startService({ timeoutMs: 1500, retryDelaysMs: [60_000] });
    const webhook = await subscribe(service);
    receiver.behaviour = () => 'hang';
    for (let i = 0; i < 10; i++) service.emit('livestream.started', { ...started, broadcastId: `b${i}` });
    // emit() only queues: it has returned before the first request is even made.
    expect(receiver.received).toHaveLength(0);
    await waitFor('four requests in flight', () => receiver.received.length === 4);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(4);
    const items = await waitFor('the first attempts to reach their deadline', async () => {
      const list = await deliveriesOf(service, webhook.id);
      return list.some((d) => d.attempts === 1) ? list : undefined;
    });
    expect(items.find((d) => d.attempts === 1)).toMatchObject({ state: 'pending', lastStatus: null, lastError: 'no answer within 1.5 s' });
    await waitFor('the next requests', () => receiver.received.length > 4);
  });

  it('sends only the events a webhook subscribed to', async () => {
    const { service } = startService();
    const warning = { livestreamId: started.livestreamId, broadcastId: started.broadcastId, code: 'keyframe_interval' as const };
    await subscribe(service, ['recording.ready']);
    service.emit('livestream.started', started);
    service.emit('livestream.health.warning', { ...warning, warning: 'keyframes every 6 s' });
    const other = await service.create({ url: receiver.url, events: ['livestream.health.warning'] });
    receiver.secret = other.secret;
    service.emit('livestream.health.warning', { ...warning, warning: 'keyframes every 6 s' });
    await waitFor('the warning', () => receiver.delivered().length === 1);
    expect(receiver.delivered()[0]).toMatchObject({ type: 'livestream.health.warning', data: { warning: 'keyframes every 6 s' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
  });

  it('delivers what was pending after the service and its database are reopened', async () => {
    const first = startService({ retryDelaysMs: [500] });
    const webhook = await subscribe(first.service);
    receiver.behaviour = () => 500;
    first.service.emit('livestream.started', started);
    await waitFor('the first attempt', () => receiver.received.length === 1);
    await closeService(first.db, first.service);

    receiver.behaviour = () => 200;
    const second = startService({ retryDelaysMs: [500] });
    await waitFor('the delivery after the restart', () => receiver.delivered().length === 1);
    expect(receiver.received.map((r) => r.id)).toEqual([receiver.received[0]!.id, receiver.received[0]!.id]);
    const [delivery] = await waitFor('the log', async () => {
      const items = await deliveriesOf(second.service, webhook.id);
      return items[0]?.state === 'delivered' ? items : undefined;
    });
    expect(delivery!.attempts).toBe(2);
  });

  it('a request cut short by a stop is sent again at the next start, not counted as an attempt', async () => {
    const first = startService();
    const webhook = await subscribe(first.service);
    receiver.behaviour = () => 'hang';
    first.service.emit('livestream.started', started);
    await waitFor('the request', () => receiver.received.length === 1);
    await closeService(first.db, first.service);

    receiver.behaviour = () => 200;
    const second = startService();
    await waitFor('the delivery after the restart', () => receiver.delivered().length === 1);
    const [delivery] = await waitFor('the log', async () => {
      const items = await deliveriesOf(second.service, webhook.id);
      return items[0]?.state === 'delivered' ? items : undefined;
    });
    expect(delivery!.attempts).toBe(1);
  });

  it('deleting a webhook removes its queued deliveries', async () => {
    const { service, db } = startService({ retryDelaysMs: [60_000] });
    const webhook = await subscribe(service);
    receiver.behaviour = () => 500;
    service.emit('livestream.started', started);
    await waitFor('the first attempt', () => receiver.received.length === 1);
    expect(await service.delete(webhook.id)).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM webhook_deliveries').get()).toEqual({ n: 0 });
    expect(await service.repository.nextDueAt()).toBeUndefined();
  });
});
