import type { Database } from 'better-sqlite3';
import type { PublishAuthResult, ResolvedStreamKey } from '../../session/publish-auth.js';
import * as shared from '../livestream-repository.js';
import type { LivestreamChanges, LivestreamPage, LivestreamRecord, LivestreamRepository, LivestreamRow, NewLivestream } from '../livestream-repository.js';

const { LIVESTREAM_COLUMNS: COLUMNS, toLivestreamRecord: toRecord } = shared;

/** Livestreams in the embedded SQLite database. better-sqlite3 answers at once; the interface is async for PostgreSQL. */
export class SqliteLivestreamRepository implements LivestreamRepository {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      insert: db.prepare<[string, string, string, number, number | null, string | null, string]>(
        'INSERT INTO livestreams (id, name, stream_key, record, dvr_window_s, top_rung, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      get: db.prepare<[string], LivestreamRow>(`SELECT ${COLUMNS} FROM livestreams WHERE id = ?`),
      byKey: db.prepare<[string], { id: string; enabled: number }>('SELECT id, enabled FROM livestreams WHERE stream_key = ?'),
      keyOf: db.prepare<[string], { stream_key: string; enabled: number }>('SELECT stream_key, enabled FROM livestreams WHERE id = ?'),
      firstPage: db.prepare<[number], LivestreamRow>(`SELECT ${COLUMNS} FROM livestreams ORDER BY seq DESC LIMIT ?`),
      nextPage: db.prepare<[number, number], LivestreamRow>(`SELECT ${COLUMNS} FROM livestreams WHERE seq < ? ORDER BY seq DESC LIMIT ?`),
      // dvr_window_s and top_rung can be set back to NULL, so each takes a flag saying whether to change it.
      update: db.prepare<[string | null, number | null, number, number | null, number, string | null, number | null, string], LivestreamRow>(
        `UPDATE livestreams SET name = coalesce(?, name), record = coalesce(?, record),
           dvr_window_s = CASE WHEN ? THEN ? ELSE dvr_window_s END, top_rung = CASE WHEN ? THEN ? ELSE top_rung END,
           enabled = coalesce(?, enabled)
           WHERE id = ? RETURNING ${COLUMNS}`,
      ),
      setKey: db.prepare<[string, string], LivestreamRow>(`UPDATE livestreams SET stream_key = ? WHERE id = ? RETURNING ${COLUMNS}`),
      delete: db.prepare<[string]>('DELETE FROM livestreams WHERE id = ?'),
      thumbnail: db.prepare<[string, string]>('UPDATE livestreams SET thumbnail_version = ? WHERE id = ?'),
    };
  }

  async create(input: NewLivestream): Promise<LivestreamRecord> {
    const record = shared.newLivestream(input);
    this.statements.insert.run(record.id, record.name, record.streamKey, record.record ? 1 : 0, record.dvrWindowS, record.topRung, record.createdAt);
    return record;
  }

  async get(id: string): Promise<LivestreamRecord | undefined> {
    const row = this.statements.get.get(id);
    return row && toRecord(row);
  }

  async resolveStreamKey(streamKey: string): Promise<ResolvedStreamKey | undefined> {
    const row = this.statements.byKey.get(streamKey);
    return row && { livestreamId: row.id, result: row.enabled === 1 ? 'ok' : 'disabled' };
  }

  list(page: { limit: number; cursor?: string | undefined }): Promise<LivestreamPage> {
    return shared.readPage(page, async (beforeSeq, count) =>
      beforeSeq === undefined ? this.statements.firstPage.all(count) : this.statements.nextPage.all(beforeSeq, count),
    );
  }

  async update(id: string, changes: LivestreamChanges): Promise<LivestreamRecord | undefined> {
    const flag = (value: boolean | undefined) => (value === undefined ? null : value ? 1 : 0);
    const window = changes.dvrWindowS;
    const { topRung } = changes;
    const row = this.statements.update.get(
      changes.name ?? null,
      flag(changes.record),
      window === undefined ? 0 : 1,
      window ?? null,
      topRung === undefined ? 0 : 1,
      topRung ?? null,
      flag(changes.enabled),
      id,
    );
    return row && toRecord(row);
  }

  async rotateKey(id: string): Promise<LivestreamRecord | undefined> {
    const row = this.statements.setKey.get(shared.newStreamKey(), id);
    return row && toRecord(row);
  }

  async delete(id: string): Promise<boolean> {
    return this.statements.delete.run(id).changes > 0;
  }

  async setThumbnailVersion(id: string, version: string): Promise<boolean> {
    return this.statements.thumbnail.run(version, id).changes > 0;
  }

  async authorizePublish(livestreamId: string, streamKey: string): Promise<PublishAuthResult> {
    const row = this.statements.keyOf.get(livestreamId);
    return shared.checkPublishKey(row && { streamKey: row.stream_key, enabled: row.enabled === 1 }, streamKey);
  }
}
