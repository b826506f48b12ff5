import { describe, expect, it } from 'vitest';
import type { CreatedWebhook, Webhook, WebhookDeliveryList, WebhookList } from '../../../shared/webhooks.js';
import { ApiError } from '../api.js';
import { WebhooksController, type WebhooksDeps } from './webhooks-controller.js';

const webhook = (id: string): Webhook => ({ id, url: `https://hooks.example.com/${id}`, events: ['recording.ready'], createdAt: '2026-12-01T10:00:00.000Z' });

/** The webhook API with answers the test sets, and a log of what was asked. */
type Api = WebhooksDeps['api'];

class FakeApi implements Api {
  readonly calls: string[] = [];
  items: Webhook[] = [webhook('wh_a')];
  failure: Error | null = null;

  private answer<T>(call: string, value: T): Promise<T> {
    this.calls.push(call);
    return this.failure ? Promise.reject(this.failure) : Promise.resolve(value);
  }

  list(): Promise<WebhookList> {
    return this.answer('list', { items: this.items });
  }

  create(body: { url: string; events: Webhook['events'] }): Promise<CreatedWebhook> {
    return this.answer(`create ${body.url} ${body.events.join(',')}`, { ...webhook('wh_new'), ...body, secret: 'whsec_c2VjcmV0' });
  }

  update(id: string, body: { url: string; events: Webhook['events'] }): Promise<Webhook> {
    return this.answer(`update ${id} ${body.url} ${body.events.join(',')}`, { ...webhook(id), ...body });
  }

  remove(id: string): Promise<void> {
    return this.answer(`remove ${id}`, undefined);
  }

  deliveries(id: string): Promise<WebhookDeliveryList> {
    return this.answer(`deliveries ${id}`, { items: [], nextCursor: null });
  }
}

function setUp(confirmed = true) {
  const api = new FakeApi();
  const controller = new WebhooksController({ api, confirm: async () => confirmed });
  const seen = { lists: [] as Webhook[][], created: [] as CreatedWebhook[], errors: [] as (string | null)[] };
  controller.events.on('webhooks', (items) => seen.lists.push(items));
  controller.events.on('created', (created) => seen.created.push(created));
  controller.events.on('error', (message) => seen.errors.push(message));
  return { api, controller, seen };
}

describe('webhooks controller', () => {
  it('adds a webhook, hands its secret to the page once, and lists again', async () => {
    const { api, controller, seen } = setUp();
    expect(await controller.add('https://hooks.example.com/in', ['livestream.started'])).toBe(true);
    expect(api.calls).toEqual(['create https://hooks.example.com/in livestream.started', 'list']);
    expect(seen.created.map((c) => c.secret)).toEqual(['whsec_c2VjcmV0']);
    expect(seen.lists).toHaveLength(1);
  });

  it('shows why an add was refused and keeps the page going', async () => {
    const { api, controller, seen } = setUp();
    api.failure = new ApiError(400, 'url: must be an http or https URL');
    expect(await controller.add('ftp://x', ['recording.ready'])).toBe(false);
    expect(seen.errors).toEqual(['url: must be an http or https URL']);
    expect(seen.created).toEqual([]);
  });

  it('changes a webhook and lists again, or shows why not', async () => {
    const { api, controller, seen } = setUp();
    expect(await controller.update(webhook('wh_a'), 'https://hooks.example.com/moved', ['livestream.ended'])).toBe(true);
    expect(api.calls).toEqual(['update wh_a https://hooks.example.com/moved livestream.ended', 'list']);
    api.failure = new ApiError(400, 'url: must be an http or https URL');
    expect(await controller.update(webhook('wh_a'), 'ftp://x', ['livestream.ended'])).toBe(false);
    expect(seen.errors.at(-1)).toBe('url: must be an http or https URL');
  });

  it('deletes only after the owner confirms', async () => {
    const declined = setUp(false);
    await declined.controller.remove(webhook('wh_a'));
    expect(declined.api.calls).toEqual([]);
    const { api, controller } = setUp(true);
    await controller.remove(webhook('wh_a'));
    expect(api.calls).toEqual(['remove wh_a', 'list']);
  });

  it('reads the deliveries of one webhook', async () => {
    const { api, controller } = setUp();
    expect(await controller.deliveries(webhook('wh_a'))).toEqual([]);
    expect(api.calls).toEqual(['deliveries wh_a']);
  });
});
