import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookEventType } from '../../../shared/webhooks.js';
import { storeKinds, type StoreUnderTest } from '../../test/fixtures/stores.js';
import { InvalidCursorError } from '../store/livestream-repository.js';
import type { WebhookRecord, WebhookRepository } from './webhook-repository.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const LEASE = at(3600);

let made = 0;
const webhook = (events: WebhookEventType[]): WebhookRecord => ({
  id: `wh_${++made}`,
  url: `https://hooks.example.com/${made}`,
  events,
  secret: `whsec_secret${made}`,
  createdAt: at(made).toISOString(),
});

describe.each(storeKinds())('webhook repository ($name)', (kind) => {
  let store: StoreUnderTest;
  let repo: WebhookRepository;
  beforeEach(async () => {
    store = await kind.open();
    repo = store.webhooks;
  });
  afterEach(() => store.close());

  /** A webhook for every event, stored. */
  async function stored(events: WebhookEventType[] = ['livestream.started', 'livestream.ended']) {
    const record = webhook(events);
    expect(await repo.create(record, 10)).toBe(true);
    return record;
  }

  const payloadsOf = async (webhookId: string) => (await repo.listDeliveries(webhookId, { limit: 100 })).items.map((d) => d.payload);

  it('stores webhooks up to the limit, also when creates race', async () => {
    const first = webhook(['recording.ready']);
    expect(await repo.create(first, 2)).toBe(true);
    const racing = await Promise.all(Array.from({ length: 10 }, () => repo.create(webhook(['livestream.started']), 3)));
    expect(racing.filter(Boolean)).toHaveLength(2);
    expect(await repo.create(webhook(['livestream.started']), 3)).toBe(false);
    const all = await repo.list();
    expect(all).toHaveLength(3);
    expect(all[0]).toEqual(first);
    expect(await repo.get(first.id)).toEqual(first);
    expect(await repo.get('wh_unknown')).toBeUndefined();
  });

  it('queues an event only for the webhooks subscribed to its type', async () => {
    const both = await stored(['livestream.started', 'livestream.ended']);
    const ended = await stored(['livestream.ended']);
    const recording = await stored(['recording.ready']);
    expect(await repo.enqueue('livestream.started', '{"n":1}', at(0))).toBe(1);
    expect(await repo.enqueue('livestream.ended', '{"n":2}', at(1))).toBe(2);
    expect(await repo.enqueue('livestream.health.warning', '{"n":3}', at(2))).toBe(0);
    expect(await payloadsOf(both.id)).toEqual(['{"n":2}', '{"n":1}']);
    expect(await payloadsOf(ended.id)).toEqual(['{"n":2}']);
    expect(await payloadsOf(recording.id)).toEqual([]);
    const [delivery] = (await repo.listDeliveries(ended.id, { limit: 1 })).items;
    expect(delivery).toMatchObject({ webhookId: ended.id, eventType: 'livestream.ended', state: 'pending', attempts: 0 });
    expect(delivery).toMatchObject({ nextAttemptAt: at(1).toISOString(), createdAt: at(1).toISOString(), deliveredAt: null });
    expect(delivery!.id).toMatch(/^msg_[A-Za-z0-9_-]{16}$/);
  });

  it('claims the deliveries due first, in queue order, and not again before their lease ends', async () => {
    const hook = await stored();
    for (let i = 0; i < 4; i++) await repo.enqueue('livestream.started', `{"n":${i}}`, at(i));
    const [, , , last] = (await repo.listDeliveries(hook.id, { limit: 4 })).items.reverse();
    // The last one queued becomes due before the others.
    await repo.release(last!.id, at(-1));
    expect(await repo.nextDueAt()).toEqual(at(-1));

    const claimed = await repo.claimDue(at(10), LEASE, 2);
    expect(claimed.map((d) => d.payload)).toEqual(['{"n":0}', '{"n":3}']);
    expect(claimed.every((d) => d.nextAttemptAt === LEASE.toISOString())).toBe(true);
    expect((await repo.claimDue(at(10), LEASE, 10)).map((d) => d.payload)).toEqual(['{"n":1}', '{"n":2}']);
    expect(await repo.claimDue(at(3599), LEASE, 10)).toEqual([]);
    expect(await repo.nextDueAt()).toEqual(LEASE);
    // A claimer that died: its deliveries are due again when the lease runs out.
    expect(await repo.claimDue(LEASE, at(7200), 10)).toHaveLength(4);
    expect(await repo.claimDue(at(2), at(7200), 10)).toEqual([]);
  });

  it('never hands one delivery to two claims at once', async () => {
    await stored();
    await stored(['livestream.started']);
    for (let i = 0; i < 15; i++) await repo.enqueue('livestream.started', `{"n":${i}}`, at(i));
    const claims = await Promise.all([1, 2, 3, 4, 5, 6].map(() => repo.claimDue(at(60), LEASE, 5)));
    const ids = claims.flat().map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Rows a claim skipped while another held them are there for the next.
    const rest = await repo.claimDue(at(60), LEASE, 30);
    expect(new Set([...ids, ...rest.map((d) => d.id)]).size).toBe(30);
  });

  it('records an attempt: pending with its next attempt, then delivered', async () => {
    const hook = await stored();
    await repo.enqueue('livestream.started', '{}', at(0));
    const [delivery] = await repo.claimDue(at(0), LEASE, 1);
    const retry = { state: 'pending', attempts: 1, lastStatus: 500, lastError: 'the receiver answered HTTP 500', deliveredAt: null } as const;
    await repo.recordAttempt(delivery!.id, { ...retry, nextAttemptAt: at(30) });
    expect((await repo.listDeliveries(hook.id, { limit: 1 })).items[0]).toMatchObject({ ...retry, nextAttemptAt: at(30).toISOString() });
    expect(await repo.nextDueAt()).toEqual(at(30));
    expect(await repo.claimDue(at(29), LEASE, 1)).toEqual([]);

    const [again] = await repo.claimDue(at(30), LEASE, 1);
    expect(again).toMatchObject({ id: delivery!.id, attempts: 1 });
    const done = { state: 'delivered', attempts: 2, lastStatus: 204, lastError: null, nextAttemptAt: null } as const;
    await repo.recordAttempt(delivery!.id, { ...done, deliveredAt: at(31) });
    expect((await repo.listDeliveries(hook.id, { limit: 1 })).items[0]).toMatchObject({ ...done, deliveredAt: at(31).toISOString() });
    expect(await repo.nextDueAt()).toBeUndefined();
    expect(await repo.claimDue(at(9999), at(99_999), 1)).toEqual([]);
  });

  it('releases a claimed delivery without counting an attempt, and leaves a finished one alone', async () => {
    const hook = await stored();
    await repo.enqueue('livestream.started', '{"a":1}', at(0));
    await repo.enqueue('livestream.started', '{"b":2}', at(0));
    const [first, second] = await repo.claimDue(at(0), LEASE, 2);
    await repo.release(first!.id, at(5));
    expect(await repo.claimDue(at(4), LEASE, 2)).toEqual([]);
    expect(await repo.claimDue(at(5), LEASE, 2)).toMatchObject([{ id: first!.id, attempts: 0 }]);

    const failed = { state: 'failed', attempts: 3, lastStatus: 503, lastError: 'gone', nextAttemptAt: null, deliveredAt: null } as const;
    await repo.recordAttempt(second!.id, failed);
    await repo.release(second!.id, at(6));
    expect((await repo.listDeliveries(hook.id, { limit: 2 })).items.find((d) => d.id === second!.id)).toMatchObject(failed);
    expect(await repo.claimDue(at(100), LEASE, 2)).toEqual([]);
  });

  it('pages deliveries newest first and refuses cursors not handed out for the webhook', async () => {
    const hook = await stored();
    const other = await stored(['livestream.ended']);
    for (let i = 0; i < 5; i++) await repo.enqueue('livestream.started', `${i}`, at(i));
    await repo.enqueue('livestream.ended', 'x', at(9));

    const first = await repo.listDeliveries(hook.id, { limit: 2 });
    expect(first.items.map((d) => d.payload)).toEqual(['x', '4']);
    const second = await repo.listDeliveries(hook.id, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((d) => d.payload)).toEqual(['3', '2']);
    const third = await repo.listDeliveries(hook.id, { limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((d) => d.payload)).toEqual(['1', '0']);
    expect(third.nextCursor).toBeNull();

    const [otherDelivery] = (await repo.listDeliveries(other.id, { limit: 1 })).items;
    for (const cursor of ['nope', '', otherDelivery!.id]) {
      await expect(repo.listDeliveries(hook.id, { limit: 2, cursor })).rejects.toThrow(InvalidCursorError);
    }
  });

  it('deleting a webhook removes its deliveries with it', async () => {
    const hook = await stored();
    const kept = await stored(['livestream.ended']);
    await repo.enqueue('livestream.started', '{}', at(0));
    await repo.enqueue('livestream.ended', '{}', at(100));
    await repo.claimDue(at(0), LEASE, 1);

    expect(await repo.delete(hook.id)).toBe(true);
    expect(await repo.delete(hook.id)).toBe(false);
    expect(await repo.get(hook.id)).toBeUndefined();
    const count = await store.rows<{ n: number }>('SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ?', hook.id);
    expect(Number(count[0]!.n)).toBe(0);
    expect(await repo.nextDueAt()).toEqual(at(100));
    expect(await payloadsOf(kept.id)).toHaveLength(1);
  });

  it('changes a webhook URL and events, each alone or both, and keeps its secret', async () => {
    const hook = await stored(['livestream.started']);
    expect(await repo.update(hook.id, { url: 'https://hooks.example.com/moved' })).toEqual({ ...hook, url: 'https://hooks.example.com/moved' });
    const both = { url: 'https://hooks.example.com/again', events: ['recording.ready', 'restream.failed'] as WebhookEventType[] };
    expect(await repo.update(hook.id, both)).toEqual({ ...hook, ...both });
    expect(await repo.update(hook.id, { events: ['livestream.ended'] })).toEqual({ ...hook, url: both.url, events: ['livestream.ended'] });
    expect(await repo.get(hook.id)).toMatchObject({ secret: hook.secret, events: ['livestream.ended'] });
    // The new events decide what is queued from now on.
    expect(await repo.enqueue('livestream.started', '{}', at(0))).toBe(0);
    expect(await repo.enqueue('livestream.ended', '{}', at(0))).toBe(1);
    expect(await repo.update('wh_unknown', { url: 'https://hooks.example.com/x' })).toBeUndefined();
  });

  it('prunes ended deliveries queued before the cut-off and keeps pending ones of any age', async () => {
    const hook = await stored();
    for (let i = 0; i < 4; i++) await repo.enqueue('livestream.started', `{"n":${i}}`, at(i * 100));
    const [old0, old1, old2] = await repo.claimDue(at(1000), LEASE, 3);
    const ended = { attempts: 1, lastStatus: 200, lastError: null, nextAttemptAt: null } as const;
    await repo.recordAttempt(old0!.id, { ...ended, state: 'delivered', deliveredAt: at(1) });
    await repo.recordAttempt(old1!.id, { ...ended, state: 'failed', deliveredAt: null });
    await repo.recordAttempt(old2!.id, { ...ended, state: 'delivered', deliveredAt: at(201) });

    // n=2 (at 200 s) and n=3 (at 300 s) are younger than the cut-off; n=0 and n=1 ended before it.
    expect(await repo.pruneDeliveries(at(150))).toBe(2);
    expect(await payloadsOf(hook.id)).toEqual(['{"n":3}', '{"n":2}']);
    // A pending delivery stays whatever its age: it has not ended.
    expect(await repo.pruneDeliveries(at(10_000))).toBe(1);
    expect(await payloadsOf(hook.id)).toEqual(['{"n":3}']);
  });
});
