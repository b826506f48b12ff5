import { randomBytes } from 'node:crypto';
import {
  WEBHOOKS_MAX,
  type CreatedWebhook,
  type Webhook,
  type WebhookEventData,
  type WebhookEventType,
  type WebhookPayload,
} from '../../../shared/webhooks.js';
import type { Logger } from '../log.js';
import { WebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher.js';
import type { WebhookRecord, WebhookRepository } from './webhook-repository.js';

/** Publishes an event to the webhooks subscribed to it; returns at once, whatever the receivers do. */
export type EmitWebhookEvent = <T extends WebhookEventType>(type: T, data: WebhookEventData[T]) => void;

export class TooManyWebhooksError extends Error {
  constructor() {
    super(`this server already has ${WEBHOOKS_MAX} webhooks, its limit: delete one first`);
  }
}

/** 24 random bytes: the Standard Webhooks secret format, `whsec_` + base64. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
const newWebhookId = () => `wh_${randomBytes(12).toString('base64url')}`;

/** A webhook as listed: never its secret. */
export const webhookView = (record: WebhookRecord): Webhook => ({
  id: record.id,
  url: record.url,
  events: record.events,
  createdAt: record.createdAt,
});

/**
 * Webhooks: their registration, and the events Axon publishes to them. An event is written to the
 * persisted queue and the dispatcher is woken; nothing here waits for a receiver, so a slow or failing one
 * never delays a broadcast.
 */
export class WebhookService {
  readonly repository: WebhookRepository;
  private readonly dispatcher: WebhookDispatcher;
  private readonly log: Logger;
  private started = false;
  private closed = false;

  constructor(o: WebhookDispatcherOptions) {
    this.repository = o.repository;
    this.log = o.log;
    this.dispatcher = new WebhookDispatcher(o);
  }

  /** Starts sending, beginning with what a previous run left pending; until then events are only queued. */
  start(): void {
    this.started = true;
    this.dispatcher.wake();
  }

  readonly emit: EmitWebhookEvent = (type, data) => {
    if (this.closed) return;
    const payload: WebhookPayload = { type, timestamp: new Date().toISOString(), data } as WebhookPayload;
    this.repository.enqueue(type, JSON.stringify(payload), new Date()).then(
      (queued) => {
        if (queued > 0 && this.started) this.dispatcher.wake();
      },
      (err: unknown) => this.log.error('a webhook event could not be queued', { event: type, err }),
    );
  };

  /** Registers a webhook; its secret is in this answer only. Throws TooManyWebhooksError at the limit. */
  async create(input: { url: string; events: WebhookEventType[] }): Promise<CreatedWebhook> {
    const record: WebhookRecord = { id: newWebhookId(), ...input, secret: newSecret(), createdAt: new Date().toISOString() };
    if (!(await this.repository.create(record, WEBHOOKS_MAX))) throw new TooManyWebhooksError();
    this.log.info('webhook created', { id: record.id, events: record.events });
    return { ...webhookView(record), secret: record.secret };
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.repository.delete(id);
    if (deleted) this.log.info('webhook deleted', { id });
    return deleted;
  }

  /** Stops sending; what is pending stays queued for the next start. Events emitted from now on are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    await this.dispatcher.close();
  }
}
