import type { Pool } from 'pg';
import type { WebhookEventType } from '../../../shared/webhooks.js';
import { inTransaction } from '../store/postgres/transaction.js';
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

/** `events` is a JSON array in a text column (migration 7), read as jsonb to ask whether it holds the type. */
const SUBSCRIBERS = `
  SELECT id FROM webhooks WHERE events::jsonb @> jsonb_build_array($1::text)
  ORDER BY seq
  FOR KEY SHARE`;

const INSERT_DELIVERIES = `
  INSERT INTO webhook_deliveries (id, webhook_id, event_type, payload, state, next_attempt_at, created_at)
  SELECT d.id, d.webhook_id, $3::text, $4::text, 'pending', $5::timestamptz, $5::timestamptz
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS d (id, webhook_id, ord)
  ORDER BY d.ord`;

/**
 * SKIP LOCKED passes over the rows another node's claim holds, and a row another node has just claimed and
 * committed is read again and no longer due: two nodes never take the same delivery.
 */
const CLAIM = `
  UPDATE webhook_deliveries SET next_attempt_at = $1
  WHERE id IN (
    SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $2
    ORDER BY next_attempt_at, seq LIMIT $3
    FOR UPDATE SKIP LOCKED)
  RETURNING ${DELIVERY_COLUMNS}`;

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Webhooks in PostgreSQL: every node of a cluster sees the same webhooks and sends from one queue. */
export class PostgresWebhookRepository implements WebhookRepository {
  constructor(private readonly pool: Pool) {}

  create(webhook: WebhookRecord, max: number): Promise<boolean> {
    const { id, url, secret, events, createdAt } = webhook;
    return inTransaction(this.pool, async (client) => {
      // Unlike SQLite, two transactions can count at once: creates take turns (reads go on meanwhile).
      await client.query('LOCK TABLE webhooks IN SHARE ROW EXCLUSIVE MODE');
      const { rowCount } = await client.query(
        `INSERT INTO webhooks (id, url, secret, events, created_at)
           SELECT $1::text, $2::text, $3::text, $4::text, $5::timestamptz WHERE (SELECT count(*) FROM webhooks) < $6`,
        [id, url, secret, JSON.stringify(events), createdAt, max],
      );
      return (rowCount ?? 0) > 0;
    });
  }

  async list(): Promise<WebhookRecord[]> {
    return (await this.pool.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY seq`)).rows.map(toWebhook);
  }

  async get(id: string): Promise<WebhookRecord | undefined> {
    const row = (await this.pool.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1`, [id])).rows[0];
    return row && toWebhook(row);
  }

  async update(id: string, change: WebhookChange): Promise<WebhookRecord | undefined> {
    const query = `UPDATE webhooks SET url = coalesce($1, url), events = coalesce($2, events) WHERE id = $3 RETURNING ${WEBHOOK_COLUMNS}`;
    const row = (await this.pool.query<WebhookRow>(query, [change.url ?? null, change.events ? JSON.stringify(change.events) : null, id])).rows[0];
    return row && toWebhook(row);
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM webhooks WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  async pruneDeliveries(before: Date): Promise<number> {
    const query = "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at < $1";
    return (await this.pool.query(query, [before.toISOString()])).rowCount ?? 0;
  }

  enqueue(eventType: WebhookEventType, payload: string, at: Date): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      // FOR KEY SHARE: a webhook being deleted on another node meanwhile takes these deliveries with it.
      const subscribers = (await client.query<{ id: string }>(SUBSCRIBERS, [eventType])).rows.map((r) => r.id);
      if (subscribers.length === 0) return 0;
      const ids = subscribers.map(() => shared.newDeliveryId());
      await client.query(INSERT_DELIVERIES, [ids, subscribers, eventType, payload, at.toISOString()]);
      return subscribers.length;
    });
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRecord[]> {
    const { rows } = await this.pool.query<DeliveryRow>(CLAIM, [leaseUntil.toISOString(), now.toISOString(), limit]);
    return shared.inQueueOrder(rows);
  }

  async nextDueAt(): Promise<Date | undefined> {
    const query = "SELECT min(next_attempt_at) AS at FROM webhook_deliveries WHERE state = 'pending'";
    const at = (await this.pool.query<{ at: string | null }>(query)).rows[0]?.at ?? null;
    return at === null ? undefined : new Date(at);
  }

  async recordAttempt(id: string, o: AttemptOutcome): Promise<void> {
    await this.pool.query(
      `UPDATE webhook_deliveries SET state = $1, attempts = $2, last_status = $3, last_error = $4, next_attempt_at = $5, delivered_at = $6
         WHERE id = $7`,
      [o.state, o.attempts, o.lastStatus, o.lastError, iso(o.nextAttemptAt), iso(o.deliveredAt), id],
    );
  }

  async release(id: string, at: Date): Promise<void> {
    await this.pool.query("UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND state = 'pending'", [at.toISOString(), id]);
  }

  listDeliveries(webhookId: string, page: { limit: number; cursor?: string | undefined }): Promise<DeliveryPage> {
    return shared.readDeliveryPage(
      page,
      async (cursor) => {
        const query = 'SELECT seq FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2';
        return (await this.pool.query<{ seq: number }>(query, [cursor, webhookId])).rows[0]?.seq;
      },
      async (before, count) => {
        const query = `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`;
        return (await this.pool.query<DeliveryRow>(query, [webhookId, before, count])).rows;
      },
    );
  }
}
