import type { WebhookDelivery, WebhookDeliveryState, WebhookEventType } from '../../../shared/webhooks.js';

/** A webhook as stored, with its signing secret. */
export interface WebhookRecord {
  id: string;
  url: string;
  events: WebhookEventType[];
  secret: string;
  createdAt: string;
}

/** One event for one webhook: the queue entry and its line in the delivery log. */
export interface DeliveryRecord extends Omit<WebhookDelivery, 'payload'> {
  webhookId: string;
  /** The exact JSON body that is signed and sent. */
  payload: string;
}

/** What one attempt leaves: delivered, pending with its next attempt, or failed for good. */
export interface AttemptOutcome {
  state: WebhookDeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  /** Set when the state is pending. */
  nextAttemptAt: Date | null;
  /** Set when the state is delivered. */
  deliveredAt: Date | null;
}

export interface DeliveryPage {
  items: DeliveryRecord[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Every read and write of webhooks and their deliveries. Asynchronous, so that a database with a network
 * between it and Axon can implement it beside SQLite.
 */
export interface WebhookRepository {
  /** Stores a webhook unless `max` exist already; false then. */
  create(webhook: WebhookRecord, max: number): Promise<boolean>;
  /** Oldest first. */
  list(): Promise<WebhookRecord[]>;
  get(id: string): Promise<WebhookRecord | undefined>;
  /** Removes a webhook and its deliveries. */
  delete(id: string): Promise<boolean>;
  /** Queues one delivery of the event for each webhook subscribed to its type, due at once. Returns how many. */
  enqueue(eventType: WebhookEventType, payload: string, at: Date): Promise<number>;
  /**
   * Takes up to `limit` pending deliveries due at `now`, oldest due first, and moves their next attempt to
   * `leaseUntil`: another process sharing the database (or this one, after a crash) retries them only then.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRecord[]>;
  /** When the earliest pending delivery is due; undefined when none is pending. */
  nextDueAt(): Promise<Date | undefined>;
  recordAttempt(id: string, outcome: AttemptOutcome): Promise<void>;
  /** Makes a claimed delivery due at `at` again without counting an attempt (its attempt was cut short). */
  release(id: string, at: Date): Promise<void>;
  /** A webhook's deliveries, newest first. Throws InvalidCursorError for a cursor not handed out for this webhook. */
  listDeliveries(webhookId: string, page: { limit: number; cursor?: string | undefined }): Promise<DeliveryPage>;
}
