import type { Database } from 'better-sqlite3';
import type { RecordingStatus } from '../../../shared/recording.js';

/** A recording as stored. `status` 'recording' means its broadcast is still on (or its server died). */
export interface RecordingRecord {
  id: string;
  livestreamId: string;
  status: RecordingStatus | 'recording';
  startedAt: string;
  endedAt: string | null;
  durationS: number | null;
}

/** A recording whose broadcast is over: replayable. */
export interface FinishedRecording extends RecordingRecord {
  status: RecordingStatus;
  endedAt: string;
  durationS: number;
}

export interface RecordingEnd {
  status: RecordingStatus;
  endedAt: Date;
  durationS: number;
}

/** Every read and write of recordings goes through this. */
export interface RecordingRepository {
  /** Registers the recording of a broadcast that is starting. Throws when the livestream is gone. */
  begin(recording: { id: string; livestreamId: string; startedAt: Date }): void;
  /** Marks a recording finished; false when it no longer exists (deleted meanwhile). */
  finish(id: string, end: RecordingEnd): boolean;
  /** Finished recordings of a livestream, newest first. */
  listFinished(livestreamId: string): FinishedRecording[];
  /** A finished recording of a livestream. */
  getFinished(livestreamId: string, id: string): FinishedRecording | undefined;
  /** Recordings still marked as recording (at start-up: cut by a crash or a kill). */
  listUnfinished(): RecordingRecord[];
  /** Finished recordings that ended before `date`, oldest first. */
  listEndedBefore(date: Date): FinishedRecording[];
  /** Every recording id of a livestream, whatever its state (their directories are kept). */
  idsOf(livestreamId: string): Set<string>;
  delete(id: string): boolean;
}

interface Row {
  id: string;
  livestream_id: string;
  status: RecordingRecord['status'];
  started_at: string;
  ended_at: string | null;
  duration_s: number | null;
}

const COLUMNS = 'id, livestream_id, status, started_at, ended_at, duration_s';
const FINISHED = "status IN ('complete', 'interrupted')";

const toRecord = (row: Row): RecordingRecord => ({
  id: row.id,
  livestreamId: row.livestream_id,
  status: row.status,
  startedAt: row.started_at,
  endedAt: row.ended_at,
  durationS: row.duration_s,
});
// Only called on rows the FINISHED condition selected, whose end columns the finish statement set.
const toFinished = (row: Row) => toRecord(row) as FinishedRecording;

export class SqliteRecordingRepository implements RecordingRepository {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      insert: db.prepare<[string, string, string]>(
        "INSERT INTO recordings (id, livestream_id, status, started_at) VALUES (?, ?, 'recording', ?)",
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
      unfinished: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM recordings WHERE status = 'recording' ORDER BY seq`),
      endedBefore: db.prepare<[string], Row>(
        `SELECT ${COLUMNS} FROM recordings WHERE ${FINISHED} AND ended_at < ? ORDER BY ended_at`,
      ),
      ids: db.prepare<[string], { id: string }>('SELECT id FROM recordings WHERE livestream_id = ?'),
      delete: db.prepare<[string]>('DELETE FROM recordings WHERE id = ?'),
    };
  }

  begin(recording: { id: string; livestreamId: string; startedAt: Date }): void {
    this.statements.insert.run(recording.id, recording.livestreamId, recording.startedAt.toISOString());
  }

  finish(id: string, end: RecordingEnd): boolean {
    return this.statements.finish.run(end.status, end.endedAt.toISOString(), end.durationS, id).changes > 0;
  }

  listFinished(livestreamId: string): FinishedRecording[] {
    return this.statements.listFinished.all(livestreamId).map(toFinished);
  }

  getFinished(livestreamId: string, id: string): FinishedRecording | undefined {
    const row = this.statements.getFinished.get(livestreamId, id);
    return row && toFinished(row);
  }

  listUnfinished(): RecordingRecord[] {
    return this.statements.unfinished.all().map(toRecord);
  }

  listEndedBefore(date: Date): FinishedRecording[] {
    return this.statements.endedBefore.all(date.toISOString()).map(toFinished);
  }

  idsOf(livestreamId: string): Set<string> {
    return new Set(this.statements.ids.all(livestreamId).map((r) => r.id));
  }

  delete(id: string): boolean {
    return this.statements.delete.run(id).changes > 0;
  }
}
