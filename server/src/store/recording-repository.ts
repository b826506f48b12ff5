import type { RecordingStatus } from '../../../shared/recording.js';

/** A recording as stored. `status` 'recording' means its broadcast is still on (or its server died). */
export interface RecordingRecord {
  id: string;
  livestreamId: string;
  status: RecordingStatus | 'recording';
  startedAt: string;
  endedAt: string | null;
  durationS: number | null;
  /** The cluster node whose disk holds its files; null embedded, where every process shares the media directory. */
  nodeId: string | null;
  /** The version of its thumbnail, which the picture's URL carries; null when the broadcast had none. */
  thumbnailVersion: string | null;
}

/** A recording whose broadcast is over: replayable. */
export interface FinishedRecording extends RecordingRecord {
  status: RecordingStatus;
  endedAt: string;
  durationS: number;
}

/** A recording's row, as either database gives it. */
export interface RecordingRow {
  id: string;
  livestream_id: string;
  status: RecordingRecord['status'];
  started_at: string;
  ended_at: string | null;
  duration_s: number | null;
  node_id: string | null;
  thumbnail_version: string | null;
}

export const RECORDING_COLUMNS = 'id, livestream_id, status, started_at, ended_at, duration_s, node_id, thumbnail_version';
/** The condition of a finished recording's row, the only rows toFinishedRecording takes. */
export const FINISHED = "status IN ('complete', 'interrupted')";

export const toRecordingRecord = (row: RecordingRow): RecordingRecord => ({
  id: row.id,
  livestreamId: row.livestream_id,
  status: row.status,
  startedAt: row.started_at,
  endedAt: row.ended_at,
  durationS: row.duration_s,
  nodeId: row.node_id,
  thumbnailVersion: row.thumbnail_version,
});
// Only called on rows the FINISHED condition selected, whose end columns finish() set.
export const toFinishedRecording = (row: RecordingRow) => toRecordingRecord(row) as FinishedRecording;

export interface NewRecording {
  id: string;
  livestreamId: string;
  startedAt: Date;
  /** The cluster node recording it (its files are on that node's disk); omitted embedded. */
  nodeId?: string;
}

export interface RecordingEnd {
  status: RecordingStatus;
  endedAt: Date;
  durationS: number;
}

/** Every read and write of recordings goes through this: SQLite (embedded) or PostgreSQL (cluster) behind it. */
export interface RecordingRepository {
  /** Registers the recording of a broadcast that is starting. Rejects when the livestream is gone. */
  begin(recording: NewRecording): Promise<void>;
  /** Marks a recording finished; false when it no longer exists (deleted meanwhile). */
  finish(id: string, end: RecordingEnd): Promise<boolean>;
  /** Finished recordings of a livestream, newest first. */
  listFinished(livestreamId: string): Promise<FinishedRecording[]>;
  /** A finished recording of a livestream. */
  getFinished(livestreamId: string, id: string): Promise<FinishedRecording | undefined>;
  /**
   * The recordings of this node (null: embedded, the rows without a node) still marked as recording:
   * at start-up, cut by a crash or a kill.
   */
  listUnfinished(nodeId: string | null): Promise<RecordingRecord[]>;
  /** This node's finished recordings that ended before `date`, oldest first. */
  listEndedBefore(date: Date, nodeId: string | null): Promise<FinishedRecording[]>;
  /** Every recording id of a livestream, whatever its state (their directories are kept). */
  idsOf(livestreamId: string): Promise<Set<string>>;
  delete(id: string): Promise<boolean>;
  /** Records that the recording's thumbnail was (re)written; false when the recording does not exist (yet or any more). */
  setThumbnailVersion(id: string, version: string): Promise<boolean>;
}
