import type { Migration } from './migrator.js';

/**
 * The schema's history, oldest first. Never edit a migration that has shipped: append a new one with
 * the next version number.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create livestreams',
    up: (db) =>
      db.exec(`
        CREATE TABLE livestreams (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          name TEXT NOT NULL,
          stream_key TEXT NOT NULL UNIQUE,
          record INTEGER NOT NULL CHECK (record IN (0, 1)),
          created_at TEXT NOT NULL
        ) STRICT
      `),
  },
  {
    version: 2,
    name: 'create chat messages and bans',
    // A deleted message keeps its row (without its text) so that its author can still be banned.
    up: (db) =>
      db.exec(`
        CREATE TABLE chat_messages (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          livestream_id TEXT NOT NULL REFERENCES livestreams (id) ON DELETE CASCADE,
          participant_id TEXT NOT NULL,
          name TEXT NOT NULL,
          text TEXT NOT NULL,
          sent_at TEXT NOT NULL,
          deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
        ) STRICT;
        CREATE INDEX chat_messages_by_livestream ON chat_messages (livestream_id, seq);
        CREATE TABLE chat_bans (
          livestream_id TEXT NOT NULL REFERENCES livestreams (id) ON DELETE CASCADE,
          participant_id TEXT NOT NULL,
          banned_at TEXT NOT NULL,
          PRIMARY KEY (livestream_id, participant_id)
        ) STRICT, WITHOUT ROWID;
      `),
  },
  {
    version: 3,
    name: 'livestream dvr window and recordings',
    // A recording is one broadcast; its id is the broadcast id, which names its media directory.
    // 'recording' rows left by a killed server are finalized from the files at the next start.
    up: (db) =>
      db.exec(`
        ALTER TABLE livestreams ADD COLUMN dvr_window_s INTEGER;
        CREATE TABLE recordings (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          livestream_id TEXT NOT NULL REFERENCES livestreams (id) ON DELETE CASCADE,
          status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted')),
          started_at TEXT NOT NULL,
          ended_at TEXT,
          duration_s REAL
        ) STRICT;
        CREATE INDEX recordings_by_livestream ON recordings (livestream_id, seq);
        CREATE INDEX recordings_by_status ON recordings (status, ended_at);
      `),
  },
  {
    version: 4,
    name: 'live claims',
    // Which process holds a livestream's broadcast, so that processes sharing AXON_DATA_DIR neither take a
    // second publisher for it nor tidy away the media and recording of a broadcast another one is running.
    up: (db) =>
      db.exec(`
        CREATE TABLE live_claims (
          livestream_id TEXT PRIMARY KEY REFERENCES livestreams (id) ON DELETE CASCADE,
          owner TEXT NOT NULL,
          claimed_at TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
      `),
  },
  {
    version: 5,
    name: 'livestream enabled',
    // A disabled livestream refuses every publish until its owner enables it again.
    up: (db) => db.exec('ALTER TABLE livestreams ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))'),
  },
  {
    version: 6,
    name: 'live claims playable',
    // Whether the claimed broadcast is playable yet, so that every process reports the same status (starting or live).
    up: (db) => db.exec('ALTER TABLE live_claims ADD COLUMN playable INTEGER NOT NULL DEFAULT 0 CHECK (playable IN (0, 1))'),
  },
  {
    version: 7,
    name: 'webhooks and their deliveries',
    // Deliveries are the persisted queue and the delivery log at once: a pending row is retried (also after a
    // restart) until it is delivered or its retries are used up. Times are ISO 8601 UTC, which sort as text.
    up: (db) =>
      db.exec(`
        CREATE TABLE webhooks (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          url TEXT NOT NULL,
          secret TEXT NOT NULL,
          events TEXT NOT NULL,
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE webhook_deliveries (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
          event_type TEXT NOT NULL,
          payload TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at TEXT,
          last_status INTEGER,
          last_error TEXT,
          created_at TEXT NOT NULL,
          delivered_at TEXT
        ) STRICT;
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
        CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, seq);
      `),
  },
  {
    version: 8,
    name: 'restream targets',
    // The stream key is a secret like the livestream's own (the file is 0600); it leaves only masked.
    up: (db) =>
      db.exec(`
        CREATE TABLE restream_targets (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          livestream_id TEXT NOT NULL REFERENCES livestreams (id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          url TEXT NOT NULL,
          stream_key TEXT NOT NULL,
          enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX restream_targets_by_livestream ON restream_targets (livestream_id, seq);
      `),
  },
  {
    version: 9,
    name: 'recording holding node',
    // The cluster node whose disk holds a recording's files: only it recovers, expires or deletes them. Null
    // embedded (every process on the data directory shares the files) and for rows older than clusters.
    up: (db) => db.exec('ALTER TABLE recordings ADD COLUMN node_id TEXT'),
  },
  {
    version: 10,
    name: 'livestream top rung',
    // Whether the top rung may be the source's own video; NULL: the server's AXON_TOP_RUNG.
    up: (db) => db.exec("ALTER TABLE livestreams ADD COLUMN top_rung TEXT CHECK (top_rung IN ('auto', 'encode'))"),
  },
  {
    version: 11,
    name: 'thumbnail versions',
    // The version of the newest picture, which its public URL carries: every process builds the same URL
    // from it, whichever disk holds the file. NULL until the first picture (and for rows older than this).
    up: (db) => db.exec('ALTER TABLE livestreams ADD COLUMN thumbnail_version TEXT; ALTER TABLE recordings ADD COLUMN thumbnail_version TEXT'),
  },
];
