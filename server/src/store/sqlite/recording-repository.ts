import type { Database } from 'better-sqlite3';
import {
  FINISHED,
  RECORDING_COLUMNS as COLUMNS,
  toFinishedRecording as toFinished,
  toRecordingRecord as toRecord,
  type FinishedRecording,
  type NewRecording,
  type RecordingEnd,
  type RecordingRecord,
  type RecordingRepository,
  type RecordingRow as Row,
} from '../recording-repository.js';

/** Recordings in the embedded SQLite database. */
export class SqliteRecordingRepository implements RecordingRepository {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      insert: db.prepare<[string, string, string, string | null]>(
        "INSERT INTO recordings (id, livestream_id, status, started_at, node_id) VALUES (?, ?, 'recording', ?, ?)",
      ),
      finish: db.prepare<[string, string, number, string]>(
        'UPDATE recordings SET status = ?, ended_at = ?, duration_s = ? WHERE id = ?',
      ),
      listFinished: db.prepare<[string], Row>(
        `SELECT ${COLUMNS} FROM recordings WHERE livestream_id = ? AND ${FINISHED} ORDER BY seq DESC`,
      ),
      getFinished: db.prepare<[string, string], Row>(
        `SELECT ${COLUMNS} FROM recordings WHERE livestream_id = ? AND id = ? AND ${FINISHED}`,
      ),
      unfinished: db.prepare<[string | null], Row>(`SELECT ${COLUMNS} FROM recordings WHERE status = 'recording' AND node_id IS ? ORDER BY seq`),
      endedBefore: db.prepare<[string, string | null], Row>(
        `SELECT ${COLUMNS} FROM recordings WHERE ${FINISHED} AND ended_at < ? AND node_id IS ? ORDER BY ended_at`,
      ),
      ids: db.prepare<[string], { id: string }>('SELECT id FROM recordings WHERE livestream_id = ?'),
      delete: db.prepare<[string]>('DELETE FROM recordings WHERE id = ?'),
      thumbnail: db.prepare<[string, string]>('UPDATE recordings SET thumbnail_version = ? WHERE id = ?'),
    };
  }

  async begin(recording: NewRecording): Promise<void> {
    this.statements.insert.run(recording.id, recording.livestreamId, recording.startedAt.toISOString(), recording.nodeId ?? null);
  }

  async finish(id: string, end: RecordingEnd): Promise<boolean> {
    return this.statements.finish.run(end.status, end.endedAt.toISOString(), end.durationS, id).changes > 0;
  }

  async listFinished(livestreamId: string): Promise<FinishedRecording[]> {
    return this.statements.listFinished.all(livestreamId).map(toFinished);
  }

  async getFinished(livestreamId: string, id: string): Promise<FinishedRecording | undefined> {
    const row = this.statements.getFinished.get(livestreamId, id);
    return row && toFinished(row);
  }

  async listUnfinished(nodeId: string | null): Promise<RecordingRecord[]> {
    return this.statements.unfinished.all(nodeId).map(toRecord);
  }

  async listEndedBefore(date: Date, nodeId: string | null): Promise<FinishedRecording[]> {
    return this.statements.endedBefore.all(date.toISOString(), nodeId).map(toFinished);
  }

  async idsOf(livestreamId: string): Promise<Set<string>> {
    return new Set(this.statements.ids.all(livestreamId).map((r) => r.id));
  }

  async delete(id: string): Promise<boolean> {
    return this.statements.delete.run(id).changes > 0;
  }

  async setThumbnailVersion(id: string, version: string): Promise<boolean> {
    return this.statements.thumbnail.run(version, id).changes > 0;
  }
}
