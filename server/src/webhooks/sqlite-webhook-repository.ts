import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { WebhookEventType } from '../../../shared/webhooks.js';
import { InvalidCursorError } from '../store/livestream-repository.js';
import type { AttemptOutcome, DeliveryPage, DeliveryRecord, WebhookRecord, WebhookRepository } from './webhook-repository.js';

interface WebhookRow {
  id: string;
  url: string;
  secret: string;
  events: string;
  created_at: string;
}

interface DeliveryRow {
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

const WEBHOOK_COLUMNS = 'id, url, secret, events, created_at';
const DELIVERY_COLUMNS =
  'id, webhook_id, event_type, payload, state, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at';

/** `msg_` as in the Standard Webhooks examples; sent as `webhook-id`. */
const newDeliveryId = () => `msg_${randomBytes(12).toString('base64url')}`;

const toWebhook = (row: WebhookRow): WebhookRecord => ({
  id: row.id,
  url: row.url,
  secret: row.secret,
  events: JSON.parse(row.events) as WebhookEventType[],
  createdAt: row.created_at,
});

const toDelivery = (row: DeliveryRow): DeliveryRecord => ({
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

/** Webhooks in the embedded SQLite database (better-sqlite3 is synchronous; the interface is not). */
export class SqliteWebhookRepository implements WebhookRepository {
  private readonly statements;
  private readonly enqueueAll;

  constructor(db: Database) {
    this.statements = {
      // One statement, so that two requests at once cannot both pass the limit.
      insert: db.prepare<[string, string, string, string, string, number]>(
        `INSERT INTO webhooks (id, url, secret, events, created_at)
           SELECT ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM webhooks) < ?`,
      ),
      list: db.prepare<[], WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY seq`),
      get: db.prepare<[string], WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?`),
      delete: db.prepare<[string]>('DELETE FROM webhooks WHERE id = ?'),
      subscribers: db.prepare<[string], { id: string }>(
        'SELECT id FROM webhooks WHERE EXISTS (SELECT 1 FROM json_each(webhooks.events) WHERE value = ?) ORDER BY seq',
      ),
      insertDelivery: db.prepare<[string, string, string, string, string, string]>(
        `INSERT INTO webhook_deliveries (id, webhook_id, event_type, payload, state, next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
      ),
      claim: db.prepare<[string, string, number], DeliveryRow>(
        `UPDATE webhook_deliveries SET next_attempt_at = ?
           WHERE id IN (SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?)
           RETURNING ${DELIVERY_COLUMNS}`,
      ),
      nextDue: db.prepare<[], { at: string | null }>("SELECT min(next_attempt_at) AS at FROM webhook_deliveries WHERE state = 'pending'"),
      record: db.prepare<[string, number, number | null, string | null, string | null, string | null, string]>(
        `UPDATE webhook_deliveries SET state = ?, attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ?, delivered_at = ?
           WHERE id = ?`,
      ),
      release: db.prepare<[string, string]>("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND state = 'pending'"),
      cursorSeq: db.prepare<[string, string], { seq: number }>('SELECT seq FROM webhook_deliveries WHERE id = ? AND webhook_id = ?'),
      page: db.prepare<[string, number, number], DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      ),
    };
    this.enqueueAll = db.transaction((eventType: WebhookEventType, payload: string, at: string): number => {
      const subscribers = this.statements.subscribers.all(eventType);
      for (const { id } of subscribers) this.statements.insertDelivery.run(newDeliveryId(), id, eventType, payload, at, at);
      return subscribers.length;
    });
  }

  async create(webhook: WebhookRecord, max: number): Promise<boolean> {
    const { id, url, secret, events, createdAt } = webhook;
    return this.statements.insert.run(id, url, secret, JSON.stringify(events), createdAt, max).changes > 0;
  }

  async list(): Promise<WebhookRecord[]> {
    return this.statements.list.all().map(toWebhook);
  }

  async get(id: string): Promise<WebhookRecord | undefined> {
    const row = this.statements.get.get(id);
    return row && toWebhook(row);
  }

  async delete(id: string): Promise<boolean> {
    return this.statements.delete.run(id).changes > 0;
  }

  async enqueue(eventType: WebhookEventType, payload: string, at: Date): Promise<number> {
    return this.enqueueAll(eventType, payload, at.toISOString());
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRecord[]> {
    const rows = this.statements.claim.all(leaseUntil.toISOString(), now.toISOString(), limit);
    // RETURNING keeps no order: in the order the events were queued.
    return rows.map(toDelivery).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async nextDueAt(): Promise<Date | undefined> {
    const { at } = this.statements.nextDue.get()!;
    return at === null ? undefined : new Date(at);
  }

  async recordAttempt(id: string, o: AttemptOutcome): Promise<void> {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    this.statements.record.run(o.state, o.attempts, o.lastStatus, o.lastError, iso(o.nextAttemptAt), iso(o.deliveredAt), id);
  }

  async release(id: string, at: Date): Promise<void> {
    this.statements.release.run(at.toISOString(), id);
  }

  async listDeliveries(webhookId: string, page: { limit: number; cursor?: string | undefined }): Promise<DeliveryPage> {
    // The cursor is the id of the last delivery of the previous page.
    let before = Number.MAX_SAFE_INTEGER;
    if (page.cursor !== undefined) {
      const row = this.statements.cursorSeq.get(page.cursor, webhookId);
      if (!row) throw new InvalidCursorError();
      before = row.seq;
    }
    // One extra row tells whether another page follows.
    const rows = this.statements.page.all(webhookId, before, page.limit + 1);
    const items = rows.slice(0, page.limit).map(toDelivery);
    return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
  }
}
