import type { CreatedWebhook, Webhook, WebhookDelivery, WebhookEventType } from '../../../shared/webhooks.js';
import type { WebhooksApi } from '../api.js';
import { Emitter } from '../emitter.js';
import { errorMessage, reportedCall } from './dashboard-controller.js';

export interface WebhooksDeps {
  api: Pick<WebhooksApi, 'list' | 'create' | 'update' | 'remove' | 'deliveries'>;
  confirm(dialog: { title: string; message: string; confirmLabel: string; danger: boolean }): Promise<boolean>;
}

export interface WebhooksEvents {
  webhooks: [Webhook[]];
  /** A webhook was just added: the one moment its secret can be shown. */
  created: [CreatedWebhook];
  /** What went wrong with the last call; null once one succeeded. */
  error: [message: string | null];
}

/** What the owner can do with webhooks on the dashboard. */
export interface WebhookIntents {
  /** True when added. */
  add(url: string, events: WebhookEventType[]): Promise<boolean>;
  /** True when changed; the secret stays, so receivers need no change. */
  update(webhook: Webhook, url: string, events: WebhookEventType[]): Promise<boolean>;
  remove(webhook: Webhook): Promise<void>;
  /** The newest deliveries; undefined when they could not be read (the error says why). */
  deliveries(webhook: Webhook): Promise<WebhookDelivery[] | undefined>;
}

/** The dashboard's webhooks: listed when the section opens, added, changed and removed over the API. */
export class WebhooksController implements WebhookIntents {
  readonly events = new Emitter<WebhooksEvents>();

  constructor(private readonly deps: WebhooksDeps) {}

  async load(): Promise<void> {
    const list = await this.run(() => this.deps.api.list());
    if (list) this.events.emit('webhooks', list.items);
  }

  async add(url: string, events: WebhookEventType[]): Promise<boolean> {
    const created = await this.run(() => this.deps.api.create({ url, events }));
    if (!created) return false;
    this.events.emit('created', created);
    await this.load();
    return true;
  }

  async update(webhook: Webhook, url: string, events: WebhookEventType[]): Promise<boolean> {
    const updated = await this.run(() => this.deps.api.update(webhook.id, { url, events }));
    if (!updated) return false;
    await this.load();
    return true;
  }

  async remove(webhook: Webhook): Promise<void> {
    const confirmed = await this.deps.confirm({
      title: 'Delete this webhook?',
      message: `${webhook.url} gets no more events, and the deliveries still waiting for it are dropped.`,
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!confirmed) return;
    const removed = await this.run(async () => {
      await this.deps.api.remove(webhook.id);
      return true;
    });
    if (removed) await this.load();
  }

  async deliveries(webhook: Webhook): Promise<WebhookDelivery[] | undefined> {
    return (await this.run(() => this.deps.api.deliveries(webhook.id)))?.items;
  }

  /** A refused token is the dashboard's to handle (its next refresh signs out); here it is one more error. */
  private run<T>(call: () => Promise<T>): Promise<T | undefined> {
    return reportedCall(call, (error) => this.events.emit('error', error === null ? null : errorMessage(error)));
  }
}
