import type { Database } from 'better-sqlite3';
import type { WebhookEventType } from '../../../shared/webhooks.js';
import * as shared from './webhook-repository.js';
import type {
  AttemptOutcome,
  DeliveryPage,
  DeliveryRecord,
  DeliveryRow,
  WebhookChange,
  WebhookRecord,
  WebhookRepository,
  WebhookRow,
} from './webhook-repository.js';

const { WEBHOOK_COLUMNS, DELIVERY_COLUMNS, toWebhook } = shared;

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
      update: db.prepare<[string | null, string | null, string], WebhookRow>(
        `UPDATE webhooks SET url = coalesce(?, url), events = coalesce(?, events) WHERE id = ? RETURNING ${WEBHOOK_COLUMNS}`,
      ),
      delete: db.prepare<[string]>('DELETE FROM webhooks WHERE id = ?'),
      prune: db.prepare<[string]>("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at < ?"),
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
      for (const { id } of subscribers) this.statements.insertDelivery.run(shared.newDeliveryId(), id, eventType, payload, at, at);
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

  async update(id: string, change: WebhookChange): Promise<WebhookRecord | undefined> {
    const row = this.statements.update.get(change.url ?? null, change.events ? JSON.stringify(change.events) : null, id);
    return row && toWebhook(row);
  }

  async delete(id: string): Promise<boolean> {
    return this.statements.delete.run(id).changes > 0;
  }

  async pruneDeliveries(before: Date): Promise<number> {
    return this.statements.prune.run(before.toISOString()).changes;
  }

  async enqueue(eventType: WebhookEventType, payload: string, at: Date): Promise<number> {
    return this.enqueueAll(eventType, payload, at.toISOString());
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRecord[]> {
    return shared.inQueueOrder(this.statements.claim.all(leaseUntil.toISOString(), now.toISOString(), limit));
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
    return shared.readDeliveryPage(
      page,
      async (cursor) => this.statements.cursorSeq.get(cursor, webhookId)?.seq,
      async (before, count) => this.statements.page.all(webhookId, before, count),
    );
  }
}
