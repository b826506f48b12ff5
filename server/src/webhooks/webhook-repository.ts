import { randomBytes } from 'node:crypto';
import { InvalidCursorError } from '../store/livestream-repository.js';
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
  /** Changes a webhook's URL and events; undefined when there is no such webhook. */
  update(id: string, change: WebhookChange): Promise<WebhookRecord | undefined>;
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
  /** Removes delivered and failed deliveries queued before `before`; returns how many. Pending ones stay. */
  pruneDeliveries(before: Date): Promise<number>;
  /** A webhook's deliveries, newest first. Throws InvalidCursorError for a cursor not handed out for this webhook. */
  listDeliveries(webhookId: string, page: { limit: number; cursor?: string | undefined }): Promise<DeliveryPage>;
}

export interface WebhookChange {
  url?: string | undefined;
  events?: WebhookEventType[] | undefined;
}

/** A webhook's row, as either database gives it (`events` is a JSON array in a text column in both). */
export interface WebhookRow {
  id: string;
  url: string;
  secret: string;
  events: string;
  created_at: string;
}

/** A delivery's row, as either database gives it (PostgreSQL's timestamps read as ISO 8601 strings too). */
export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_type: WebhookEventType;
  payload: string;
  state: DeliveryRecord['state'];
  attempts: number;
  next_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export const WEBHOOK_COLUMNS = 'id, url, secret, events, created_at';
export const DELIVERY_COLUMNS =
  'id, webhook_id, event_type, payload, state, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at';

/** `msg_` as in the Standard Webhooks examples; sent as `webhook-id`. */
export const newDeliveryId = () => `msg_${randomBytes(12).toString('base64url')}`;

export const toWebhook = (row: WebhookRow): WebhookRecord => ({
  id: row.id,
  url: row.url,
  secret: row.secret,
  events: JSON.parse(row.events) as WebhookEventType[],
  createdAt: row.created_at,
});

export const toDelivery = (row: DeliveryRow): DeliveryRecord => ({
  id: row.id,
  webhookId: row.webhook_id,
  eventType: row.event_type,
  payload: row.payload,
  state: row.state,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastStatus: row.last_status,
  lastError: row.last_error,
  createdAt: row.created_at,
  deliveredAt: row.delivered_at,
});

/** RETURNING keeps no order: claimed deliveries are handed out in the order their events were queued. */
export const inQueueOrder = (rows: DeliveryRow[]): DeliveryRecord[] =>
  rows.map(toDelivery).sort((a, b) => a.createdAt.localeCompare(b.createdAt));

/**
 * One page of a webhook's deliveries, newest first. The cursor is the id of the last delivery of the
 * previous page; `seqOf` finds where it stands among this webhook's deliveries, `olderThan` reads the rows.
 */
export async function readDeliveryPage(
  page: { limit: number; cursor?: string | undefined },
  seqOf: (cursor: string) => Promise<number | undefined>,
  olderThan: (seq: number, count: number) => Promise<DeliveryRow[]>,
): Promise<DeliveryPage> {
  let before = Number.MAX_SAFE_INTEGER;
  if (page.cursor !== undefined) {
    const seq = await seqOf(page.cursor);
    if (seq === undefined) throw new InvalidCursorError();
    before = seq;
  }
  // One extra row tells whether another page follows.
  const rows = await olderThan(before, page.limit + 1);
  const items = rows.slice(0, page.limit).map(toDelivery);
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
}
