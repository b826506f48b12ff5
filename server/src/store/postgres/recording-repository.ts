import type { Pool } from 'pg';
import * as shared from '../recording-repository.js';
import type { FinishedRecording, NewRecording, RecordingEnd, RecordingRecord, RecordingRepository, RecordingRow as Row } from '../recording-repository.js';

const { FINISHED, RECORDING_COLUMNS: COLUMNS, toFinishedRecording: toFinished, toRecordingRecord: toRecord } = shared;

/** Recordings in PostgreSQL, shared by every node of a cluster. */
export class PostgresRecordingRepository implements RecordingRepository {
  constructor(private readonly pool: Pool) {}

  async begin(recording: NewRecording): Promise<void> {
    await this.pool.query("INSERT INTO recordings (id, livestream_id, status, started_at, node_id) VALUES ($1, $2, 'recording', $3, $4)", [
      recording.id,
      recording.livestreamId,
      recording.startedAt,
      recording.nodeId ?? null,
    ]);
  }

  async finish(id: string, end: RecordingEnd): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE recordings SET status = $1, ended_at = $2, duration_s = $3 WHERE id = $4', [
      end.status,
      end.endedAt,
      end.durationS,
      id,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async listFinished(livestreamId: string): Promise<FinishedRecording[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM recordings WHERE livestream_id = $1 AND ${FINISHED} ORDER BY seq DESC`, [
      livestreamId,
    ]);
    return rows.map(toFinished);
  }

  async getFinished(livestreamId: string, id: string): Promise<FinishedRecording | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM recordings WHERE livestream_id = $1 AND id = $2 AND ${FINISHED}`, [
      livestreamId,
      id,
    ]);
    return rows[0] && toFinished(rows[0]);
  }

  async listUnfinished(nodeId: string | null): Promise<RecordingRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM recordings WHERE status = 'recording' AND node_id IS NOT DISTINCT FROM $1::text ORDER BY seq`,
      [nodeId],
    );
    return rows.map(toRecord);
  }

  async listEndedBefore(date: Date, nodeId: string | null): Promise<FinishedRecording[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM recordings WHERE ${FINISHED} AND ended_at < $1 AND node_id IS NOT DISTINCT FROM $2::text ORDER BY ended_at`,
      [date, nodeId],
    );
    return rows.map(toFinished);
  }

  async idsOf(livestreamId: string): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM recordings WHERE livestream_id = $1', [livestreamId]);
    return new Set(rows.map((r) => r.id));
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM recordings WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  async setThumbnailVersion(id: string, version: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE recordings SET thumbnail_version = $1 WHERE id = $2', [version, id]);
    return (rowCount ?? 0) > 0;
  }
}
