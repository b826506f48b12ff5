import type { Pool } from 'pg';
import type { PublishAuthResult, ResolvedStreamKey } from '../../session/publish-auth.js';
import * as shared from '../livestream-repository.js';
import type { LivestreamChanges, LivestreamPage, LivestreamRecord, LivestreamRepository, LivestreamRow, NewLivestream } from '../livestream-repository.js';

const { LIVESTREAM_COLUMNS: COLUMNS, toLivestreamRecord: toRecord } = shared;

/** Livestreams in PostgreSQL, shared by every node of a cluster. */
export class PostgresLivestreamRepository implements LivestreamRepository {
  constructor(private readonly pool: Pool) {}

  async create(input: NewLivestream): Promise<LivestreamRecord> {
    const record = shared.newLivestream(input);
    await this.pool.query(
      'INSERT INTO livestreams (id, name, stream_key, record, dvr_window_s, top_rung, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [record.id, record.name, record.streamKey, record.record, record.dvrWindowS, record.topRung, record.createdAt],
    );
    return record;
  }

  async get(id: string): Promise<LivestreamRecord | undefined> {
    const { rows } = await this.pool.query<LivestreamRow>(`SELECT ${COLUMNS} FROM livestreams WHERE id = $1`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async resolveStreamKey(streamKey: string): Promise<ResolvedStreamKey | undefined> {
    const { rows } = await this.pool.query<{ id: string; enabled: boolean }>('SELECT id, enabled FROM livestreams WHERE stream_key = $1', [streamKey]);
    const row = rows[0];
    return row && { livestreamId: row.id, result: row.enabled ? 'ok' : 'disabled' };
  }

  list(page: { limit: number; cursor?: string | undefined }): Promise<LivestreamPage> {
    return shared.readPage(page, async (beforeSeq, count) => {
      const query = `SELECT ${COLUMNS} FROM livestreams WHERE $1::bigint IS NULL OR seq < $1 ORDER BY seq DESC LIMIT $2`;
      return (await this.pool.query<LivestreamRow>(query, [beforeSeq ?? null, count])).rows;
    });
  }

  async update(id: string, changes: LivestreamChanges): Promise<LivestreamRecord | undefined> {
    const { dvrWindowS: window, topRung } = changes;
    // dvr_window_s and top_rung can be set back to NULL, so each takes a flag saying whether to change it.
    const { rows } = await this.pool.query<LivestreamRow>(
      `UPDATE livestreams SET name = coalesce($1, name), record = coalesce($2, record),
         dvr_window_s = CASE WHEN $3::boolean THEN $4::integer ELSE dvr_window_s END,
         top_rung = CASE WHEN $5::boolean THEN $6::text ELSE top_rung END, enabled = coalesce($7, enabled)
         WHERE id = $8 RETURNING ${COLUMNS}`,
      [changes.name ?? null, changes.record ?? null, window !== undefined, window ?? null, topRung !== undefined, topRung ?? null, changes.enabled ?? null, id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async rotateKey(id: string): Promise<LivestreamRecord | undefined> {
    const query = `UPDATE livestreams SET stream_key = $1 WHERE id = $2 RETURNING ${COLUMNS}`;
    const { rows } = await this.pool.query<LivestreamRow>(query, [shared.newStreamKey(), id]);
    return rows[0] && toRecord(rows[0]);
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM livestreams WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  async setThumbnailVersion(id: string, version: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE livestreams SET thumbnail_version = $1 WHERE id = $2', [version, id]);
    return (rowCount ?? 0) > 0;
  }

  async authorizePublish(livestreamId: string, streamKey: string): Promise<PublishAuthResult> {
    const query = 'SELECT stream_key, enabled FROM livestreams WHERE id = $1';
    const row = (await this.pool.query<{ stream_key: string; enabled: boolean }>(query, [livestreamId])).rows[0];
    return shared.checkPublishKey(row && { streamKey: row.stream_key, enabled: row.enabled }, streamKey);
  }
}
