import type { Pool } from 'pg';
import { inTransaction } from '../store/postgres/transaction.js';
import type { RestreamChanges, RestreamRecord, RestreamRepository } from './restream-repository.js';

/** Columns named as the record's fields (quoted: PostgreSQL folds unquoted names to lower case). */
const COLUMNS = `id, livestream_id AS "livestreamId", name, url, stream_key AS "streamKey", enabled, created_at AS "createdAt"`;

/** timestamptz as the pool hands it out (text or a Date), written back as ISO 8601 UTC like SQLite's. */
type Row = Omit<RestreamRecord, 'createdAt'> & { createdAt: Date | string };

const toRecord = ({ createdAt, ...row }: Row): RestreamRecord => ({ ...row, createdAt: new Date(createdAt).toISOString() });

/** Restream targets in PostgreSQL, shared by every node of a cluster. */
export class PostgresRestreamRepository implements RestreamRepository {
  constructor(private readonly pool: Pool) {}

  async create(t: RestreamRecord, max: number): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      // The livestream's row locked: two requests at once for one livestream cannot both pass the limit.
      await client.query('SELECT 1 FROM livestreams WHERE id = $1 FOR UPDATE', [t.livestreamId]);
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM restream_targets WHERE livestream_id = $1', [t.livestreamId]);
      if (rows[0]!.n >= max) return false;
      await client.query(
        'INSERT INTO restream_targets (id, livestream_id, name, url, stream_key, enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [t.id, t.livestreamId, t.name, t.url, t.streamKey, t.enabled, t.createdAt],
      );
      return true;
    });
  }

  async list(livestreamId: string): Promise<RestreamRecord[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM restream_targets WHERE livestream_id = $1 ORDER BY seq`, [livestreamId]);
    return rows.map(toRecord);
  }

  async get(livestreamId: string, id: string): Promise<RestreamRecord | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM restream_targets WHERE livestream_id = $1 AND id = $2`, [livestreamId, id]);
    return rows[0] && toRecord(rows[0]);
  }

  async update(livestreamId: string, id: string, c: RestreamChanges): Promise<RestreamRecord | undefined> {
    const { rows } = await this.pool.query<Row>(
      `UPDATE restream_targets SET name = coalesce($1, name), url = coalesce($2, url), stream_key = coalesce($3, stream_key),
         enabled = coalesce($4, enabled) WHERE livestream_id = $5 AND id = $6 RETURNING ${COLUMNS}`,
      [c.name ?? null, c.url ?? null, c.streamKey ?? null, c.enabled ?? null, livestreamId, id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async delete(livestreamId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM restream_targets WHERE livestream_id = $1 AND id = $2', [livestreamId, id]);
    return (rowCount ?? 0) === 1;
  }
}
