import { randomBytes } from 'node:crypto';
import {
  WEBHOOK_DELIVERY_LOG_DAYS,
  WEBHOOKS_MAX,
  type CreatedWebhook,
  type Webhook,
  type WebhookEventData,
  type WebhookEventType,
  type WebhookPayload,
} from '../../../shared/webhooks.js';
import type { Logger } from '../log.js';
import { WebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher.js';
import type { WebhookChange, WebhookRecord, WebhookRepository } from './webhook-repository.js';

/** Publishes an event to the webhooks subscribed to it; returns at once, whatever the receivers do. */
export type EmitWebhookEvent = <T extends WebhookEventType>(type: T, data: WebhookEventData[T]) => void;

export class TooManyWebhooksError extends Error {
  constructor() {
    super(`this server already has ${WEBHOOKS_MAX} webhooks, its limit: delete one first`);
  }
}

const DAY_MS = 24 * 3600_000;
/** The delivery log is trimmed at start and then this often: its size only matters over days. */
const PRUNE_EVERY_MS = 3600_000;

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
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(o: WebhookDispatcherOptions) {
    this.repository = o.repository;
    this.log = o.log;
    this.dispatcher = new WebhookDispatcher(o);
  }

  /** Starts sending, beginning with what a previous run left pending; until then events are only queued. */
  start(): void {
    this.started = true;
    this.dispatcher.wake();
    this.pruneDeliveryLog();
    this.pruneTimer = setInterval(() => this.pruneDeliveryLog(), PRUNE_EVERY_MS).unref();
  }

  /** Ended deliveries older than the log keeps; without this the log grows with every event for ever. */
  private pruneDeliveryLog(): void {
    this.repository.pruneDeliveries(new Date(Date.now() - WEBHOOK_DELIVERY_LOG_DAYS * DAY_MS)).then(
      (removed) => {
        if (removed > 0) this.log.info('old webhook deliveries removed from the delivery log', { removed, days: WEBHOOK_DELIVERY_LOG_DAYS });
      },
      (err: unknown) => this.log.error('the webhook delivery log could not be trimmed; trying again in an hour', { err }),
    );
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

  /** Changes a webhook's URL or events; undefined when there is none. Pending deliveries go to the new URL: each attempt reads it. */
  async update(id: string, change: WebhookChange): Promise<WebhookRecord | undefined> {
    const updated = await this.repository.update(id, change);
    if (updated) this.log.info('webhook changed', { id, events: updated.events });
    return updated;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.repository.delete(id);
    if (deleted) this.log.info('webhook deleted', { id });
    return deleted;
  }

  /** Stops sending; what is pending stays queued for the next start. Events emitted from now on are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pruneTimer);
    await this.dispatcher.close();
  }
}
