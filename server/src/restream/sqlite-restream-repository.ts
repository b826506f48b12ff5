import type { Database } from 'better-sqlite3';
import type { RestreamChanges, RestreamRecord, RestreamRepository } from './restream-repository.js';

/** Columns named as the record's fields: only `enabled` (0 or 1 in SQLite) needs converting. */
type Row = Omit<RestreamRecord, 'enabled'> & { enabled: number };

const COLUMNS = 'id, livestream_id AS livestreamId, name, url, stream_key AS streamKey, enabled, created_at AS createdAt';

const toRecord = ({ enabled, ...row }: Row): RestreamRecord => ({ ...row, enabled: enabled === 1 });

/** Restream targets in the embedded SQLite database (better-sqlite3 is synchronous; the interface is not). */
export class SqliteRestreamRepository implements RestreamRepository {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      // One statement, so that two requests at once cannot both pass the limit.
      insert: db.prepare<[string, string, string, string, string, number, string, string, number]>(
        `INSERT INTO restream_targets (id, livestream_id, name, url, stream_key, enabled, created_at)
           SELECT ?, ?, ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM restream_targets WHERE livestream_id = ?) < ?`,
      ),
      list: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM restream_targets WHERE livestream_id = ? ORDER BY seq`),
      get: db.prepare<[string, string], Row>(`SELECT ${COLUMNS} FROM restream_targets WHERE livestream_id = ? AND id = ?`),
      update: db.prepare<[string | null, string | null, string | null, number | null, string, string], Row>(
        `UPDATE restream_targets SET name = coalesce(?, name), url = coalesce(?, url), stream_key = coalesce(?, stream_key),
           enabled = coalesce(?, enabled) WHERE livestream_id = ? AND id = ? RETURNING ${COLUMNS}`,
      ),
      delete: db.prepare<[string, string]>('DELETE FROM restream_targets WHERE livestream_id = ? AND id = ?'),
    };
  }

  async create(t: RestreamRecord, max: number): Promise<boolean> {
    const { changes } = this.statements.insert.run(t.id, t.livestreamId, t.name, t.url, t.streamKey, t.enabled ? 1 : 0, t.createdAt, t.livestreamId, max);
    return changes === 1;
  }

  async list(livestreamId: string): Promise<RestreamRecord[]> {
    return this.statements.list.all(livestreamId).map(toRecord);
  }

  async get(livestreamId: string, id: string): Promise<RestreamRecord | undefined> {
    const row = this.statements.get.get(livestreamId, id);
    return row && toRecord(row);
  }

  async update(livestreamId: string, id: string, c: RestreamChanges): Promise<RestreamRecord | undefined> {
    const enabled = c.enabled === undefined ? null : c.enabled ? 1 : 0;
    const row = this.statements.update.get(c.name ?? null, c.url ?? null, c.streamKey ?? null, enabled, livestreamId, id);
    return row && toRecord(row);
  }

  async delete(livestreamId: string, id: string): Promise<boolean> {
    return this.statements.delete.run(livestreamId, id).changes === 1;
  }
}
