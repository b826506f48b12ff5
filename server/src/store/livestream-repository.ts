import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { PublishAuthorizer, PublishAuthResult, StreamKeyResolver } from '../session/publish-auth.js';

/** A livestream as stored: what the API's views are built from. */
export interface LivestreamRecord {
  id: string;
  name: string;
  streamKey: string;
  record: boolean;
  /** This livestream's DVR window in seconds; null: the server's. */
  dvrWindowS: number | null;
  /** false: every publish is refused. */
  enabled: boolean;
  createdAt: string;
}

export interface LivestreamPage {
  items: LivestreamRecord[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface NewLivestream {
  name: string;
  record: boolean;
  dvrWindowS?: number | undefined;
}

export interface LivestreamChanges {
  name?: string | undefined;
  record?: boolean | undefined;
  /** null goes back to the server's window; undefined leaves it. */
  dvrWindowS?: number | null | undefined;
  enabled?: boolean | undefined;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor');
  }
}

/** Every read and write of livestreams goes through this, so another database can replace SQLite. */
export interface LivestreamRepository extends PublishAuthorizer, StreamKeyResolver {
  create(input: NewLivestream): LivestreamRecord;
  get(id: string): LivestreamRecord | undefined;
  /** Newest first. Throws InvalidCursorError for a cursor this repository did not hand out. */
  list(page: { limit: number; cursor?: string | undefined }): LivestreamPage;
  update(id: string, changes: LivestreamChanges): LivestreamRecord | undefined;
  /** Replaces the stream key; the old one is refused from this moment. */
  rotateKey(id: string): LivestreamRecord | undefined;
  delete(id: string): boolean;
}

interface Row {
  seq: number;
  id: string;
  name: string;
  stream_key: string;
  record: number;
  dvr_window_s: number | null;
  enabled: number;
  created_at: string;
}

const COLUMNS = 'seq, id, name, stream_key, record, dvr_window_s, enabled, created_at';

/** 96 bits: public, only needs to be unguessable enough not to enumerate. */
const newId = () => randomBytes(12).toString('base64url');
/** 256 bits, URL-safe. */
const newStreamKey = () => randomBytes(32).toString('base64url');
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

// The cursor is the position (seq) of the last item of the page, base64url-wrapped so clients treat it as opaque.
const encodeCursor = (seq: number) => Buffer.from(`s${seq}`, 'utf8').toString('base64url');
function decodeCursor(cursor: string): number {
  const match = /^s([1-9]\d{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || encodeCursor(Number(match[1])) !== cursor) throw new InvalidCursorError();
  return Number(match[1]);
}

const toRecord = (row: Row): LivestreamRecord => ({
  id: row.id,
  name: row.name,
  streamKey: row.stream_key,
  record: row.record === 1,
  dvrWindowS: row.dvr_window_s,
  enabled: row.enabled === 1,
  createdAt: row.created_at,
});

export class SqliteLivestreamRepository implements LivestreamRepository {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      insert: db.prepare<[string, string, string, number, number | null, string]>(
        'INSERT INTO livestreams (id, name, stream_key, record, dvr_window_s, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      get: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM livestreams WHERE id = ?`),
      byKey: db.prepare<[string], { id: string; enabled: number }>('SELECT id, enabled FROM livestreams WHERE stream_key = ?'),
      keyOf: db.prepare<[string], { stream_key: string; enabled: number }>('SELECT stream_key, enabled FROM livestreams WHERE id = ?'),
      firstPage: db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM livestreams ORDER BY seq DESC LIMIT ?`),
      nextPage: db.prepare<[number, number], Row>(
        `SELECT ${COLUMNS} FROM livestreams WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
      ),
      // dvr_window_s can be set back to NULL, so it takes a flag saying whether to change it.
      update: db.prepare<[string | null, number | null, number, number | null, number | null, string], Row>(
        `UPDATE livestreams SET name = coalesce(?, name), record = coalesce(?, record),
           dvr_window_s = CASE WHEN ? THEN ? ELSE dvr_window_s END, enabled = coalesce(?, enabled)
           WHERE id = ? RETURNING ${COLUMNS}`,
      ),
      setKey: db.prepare<[string, string], Row>(`UPDATE livestreams SET stream_key = ? WHERE id = ? RETURNING ${COLUMNS}`),
      delete: db.prepare<[string]>('DELETE FROM livestreams WHERE id = ?'),
    };
  }

  create(input: NewLivestream): LivestreamRecord {
    const record: LivestreamRecord = {
      id: newId(),
      name: input.name,
      streamKey: newStreamKey(),
      record: input.record,
      dvrWindowS: input.dvrWindowS ?? null,
      enabled: true,
      createdAt: new Date().toISOString(),
    };
    this.statements.insert.run(record.id, record.name, record.streamKey, record.record ? 1 : 0, record.dvrWindowS, record.createdAt);
    return record;
  }

  get(id: string): LivestreamRecord | undefined {
    const row = this.statements.get.get(id);
    return row && toRecord(row);
  }

  resolveStreamKey(streamKey: string): ReturnType<StreamKeyResolver['resolveStreamKey']> {
    const row = this.statements.byKey.get(streamKey);
    return row && { livestreamId: row.id, result: row.enabled === 1 ? 'ok' : 'disabled' };
  }

  list(page: { limit: number; cursor?: string | undefined }): LivestreamPage {
    // One extra row tells whether another page follows.
    const rows =
      page.cursor === undefined
        ? this.statements.firstPage.all(page.limit + 1)
        : this.statements.nextPage.all(decodeCursor(page.cursor), page.limit + 1);
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    return {
      items: items.map(toRecord),
      nextCursor: rows.length > page.limit && last ? encodeCursor(last.seq) : null,
    };
  }

  update(id: string, changes: LivestreamChanges): LivestreamRecord | undefined {
    const flag = (value: boolean | undefined) => (value === undefined ? null : value ? 1 : 0);
    const window = changes.dvrWindowS;
    const row = this.statements.update.get(
      changes.name ?? null,
      flag(changes.record),
      window === undefined ? 0 : 1,
      window ?? null,
      flag(changes.enabled),
      id,
    );
    return row && toRecord(row);
  }

  rotateKey(id: string): LivestreamRecord | undefined {
    const row = this.statements.setKey.get(newStreamKey(), id);
    return row && toRecord(row);
  }

  delete(id: string): boolean {
    return this.statements.delete.run(id).changes > 0;
  }

  authorizePublish(livestreamId: string, streamKey: string): PublishAuthResult {
    const row = this.statements.keyOf.get(livestreamId);
    if (!row) return 'unknown_livestream';
    // Digests have equal length whatever the input, which timingSafeEqual requires.
    if (!timingSafeEqual(digest(row.stream_key), digest(streamKey))) return 'wrong_key';
    return row.enabled === 1 ? 'ok' : 'disabled';
  }
}
