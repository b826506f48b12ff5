import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TopRungSetting } from '../../../shared/livestream.js';
import type { PublishAuthorizer, PublishAuthResult, StreamKeyResolver } from '../session/publish-auth.js';

/** A livestream as stored: what the API's views are built from. */
export interface LivestreamRecord {
  id: string;
  name: string;
  streamKey: string;
  record: boolean;
  /** This livestream's DVR window in seconds; null: the server's. */
  dvrWindowS: number | null;
  /** Whether the top rung may be the source's own video; null: the server's AXON_TOP_RUNG. */
  topRung: TopRungSetting | null;
  /** false: every publish is refused. */
  enabled: boolean;
  createdAt: string;
  /** The version of its newest thumbnail, which the picture's URL carries; null until the first picture. */
  thumbnailVersion: string | null;
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
  topRung?: TopRungSetting | undefined;
}

export interface LivestreamChanges {
  name?: string | undefined;
  record?: boolean | undefined;
  /** null goes back to the server's window; undefined leaves it. */
  dvrWindowS?: number | null | undefined;
  /** null goes back to the server's AXON_TOP_RUNG; undefined leaves it. */
  topRung?: TopRungSetting | null | undefined;
  enabled?: boolean | undefined;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor');
  }
}

/** Every read and write of livestreams goes through this: SQLite (embedded) or PostgreSQL (cluster) behind it. */
export interface LivestreamRepository extends PublishAuthorizer, StreamKeyResolver {
  create(input: NewLivestream): Promise<LivestreamRecord>;
  get(id: string): Promise<LivestreamRecord | undefined>;
  /** Newest first. Rejects with InvalidCursorError for a cursor this repository did not hand out. */
  list(page: { limit: number; cursor?: string | undefined }): Promise<LivestreamPage>;
  update(id: string, changes: LivestreamChanges): Promise<LivestreamRecord | undefined>;
  /** Replaces the stream key; the old one is refused from this moment. */
  rotateKey(id: string): Promise<LivestreamRecord | undefined>;
  delete(id: string): Promise<boolean>;
  /** Records that a new thumbnail was written; false when the livestream no longer exists. */
  setThumbnailVersion(id: string, version: string): Promise<boolean>;
}

/** A livestream's row, as either database gives it (SQLite's flags are 0 or 1, PostgreSQL's booleans). */
export interface LivestreamRow {
  seq: number;
  id: string;
  name: string;
  stream_key: string;
  record: number | boolean;
  dvr_window_s: number | null;
  top_rung: TopRungSetting | null;
  enabled: number | boolean;
  created_at: string;
  thumbnail_version: string | null;
}

export const LIVESTREAM_COLUMNS = 'seq, id, name, stream_key, record, dvr_window_s, top_rung, enabled, created_at, thumbnail_version';

export const toLivestreamRecord = (row: LivestreamRow): LivestreamRecord => ({
  id: row.id,
  name: row.name,
  streamKey: row.stream_key,
  record: Boolean(row.record),
  dvrWindowS: row.dvr_window_s,
  topRung: row.top_rung,
  enabled: Boolean(row.enabled),
  createdAt: row.created_at,
  thumbnailVersion: row.thumbnail_version,
});

/** 96 bits: public, only needs to be unguessable enough not to enumerate. */
const newId = () => randomBytes(12).toString('base64url');
/** 256 bits, URL-safe. */
export const newStreamKey = () => randomBytes(32).toString('base64url');
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** A new livestream as both stores write it: ids, key and creation time are decided here, not by the database. */
export const newLivestream = (input: NewLivestream): LivestreamRecord => ({
  id: newId(),
  name: input.name,
  streamKey: newStreamKey(),
  record: input.record,
  dvrWindowS: input.dvrWindowS ?? null,
  topRung: input.topRung ?? null,
  enabled: true,
  createdAt: new Date().toISOString(),
  thumbnailVersion: null,
});

/** The one publish check both stores make, from the livestream's stored key (undefined: no such livestream). */
export function checkPublishKey(stored: { streamKey: string; enabled: boolean } | undefined, streamKey: string): PublishAuthResult {
  if (!stored) return 'unknown_livestream';
  // Digests have equal length whatever the input, which timingSafeEqual requires: the comparison takes constant time.
  if (!timingSafeEqual(digest(stored.streamKey), digest(streamKey))) return 'wrong_key';
  return stored.enabled ? 'ok' : 'disabled';
}

// The cursor is the position (seq) of the last item of the page, base64url-wrapped so clients treat it as opaque.
const encodeCursor = (seq: number) => Buffer.from(`s${seq}`, 'utf8').toString('base64url');
function decodeCursor(cursor: string): number {
  const match = /^s([1-9]\d{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || encodeCursor(Number(match[1])) !== cursor) throw new InvalidCursorError();
  return Number(match[1]);
}

/**
 * One page, newest first, from a store's query of at most `count` rows older than `beforeSeq` (undefined:
 * from the newest). One row more than the page tells whether another page follows.
 */
export async function readPage(
  page: { limit: number; cursor?: string | undefined },
  query: (beforeSeq: number | undefined, count: number) => Promise<LivestreamRow[]>,
): Promise<LivestreamPage> {
  const rows = await query(page.cursor === undefined ? undefined : decodeCursor(page.cursor), page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(toLivestreamRecord),
    nextCursor: rows.length > page.limit && last ? encodeCursor(last.seq) : null,
  };
}
