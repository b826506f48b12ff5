import type { PostgresMigration } from './migrator.js';

/**
 * The schema's history in PostgreSQL: the same versions and names as the SQLite history (../migrations.ts),
 * in PostgreSQL's dialect. Never edit a migration that has shipped: append the next version to both lists.
 */
export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'create livestreams',
    up: (db) =>
      db.query(`
        CREATE TABLE livestreams (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id text NOT NULL UNIQUE,
          name text NOT NULL,
          stream_key text NOT NULL UNIQUE,
          record boolean NOT NULL,
          created_at timestamptz NOT NULL
        )
      `),
  },
  {
    version: 2,
    name: 'create chat messages and bans',
    // A deleted message keeps its row (without its text) so that its author can still be banned.
    up: (db) =>
      db.query(`
        CREATE TABLE chat_messages (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id text NOT NULL UNIQUE,
          livestream_id text NOT NULL REFERENCES livestreams (id) ON DELETE CASCADE,
          participant_id text NOT NULL,
          name text NOT NULL,
          text text NOT NULL,
          sent_at timestamptz NOT NULL,
          deleted boolean NOT NULL DEFAULT false
        );
        CREATE INDEX chat_messages_by_livestream ON chat_messages (livestream_id, seq);
        CREATE TABLE chat_bans (
          livestream_id text NOT NULL REFERENCES livestreams (id) ON DELETE CASCADE,
          participant_id text NOT NULL,
          banned_at timestamptz NOT NULL,
          PRIMARY KEY (livestream_id, participant_id)
        );
      `),
  },
  {
    version: 3,
    name: 'livestream dvr window and recordings',
    // A recording is one broadcast; its id is the broadcast id, which names its media directory.
    up: (db) =>
      db.query(`
        ALTER TABLE livestreams ADD COLUMN dvr_window_s integer;
        CREATE TABLE recordings (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id text NOT NULL UNIQUE,
          livestream_id text NOT NULL REFERENCES livestreams (id) ON DELETE CASCADE,
          status text NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted')),
          started_at timestamptz NOT NULL,
          ended_at timestamptz,
          duration_s double precision
        );
        CREATE INDEX recordings_by_livestream ON recordings (livestream_id, seq);
        CREATE INDEX recordings_by_status ON recordings (status, ended_at);
      `),
  },
  {
    version: 4,
    name: 'live claims',
    // Nodes sharing PostgreSQL share Redis too, where each broadcast's lease says which node runs it: this
    // database keeps no live claims. The version is recorded all the same, so both histories count alike.
    up: async () => undefined,
  },
  {
    version: 5,
    name: 'livestream enabled',
    // A disabled livestream refuses every publish until its owner enables it again.
    up: (db) => db.query('ALTER TABLE livestreams ADD COLUMN enabled boolean NOT NULL DEFAULT true'),
  },
  {
    version: 6,
    name: 'live claims playable',
    // As for version 4: the playable flag lives with the broadcast's lease in Redis.
    up: async () => undefined,
  },
  {
    version: 7,
    name: 'webhooks and their deliveries',
    // Deliveries are the persisted queue and the delivery log at once: a pending row is retried (also after a
    // restart) until it is delivered or its retries are used up.
    up: (db) =>
      db.query(`
        CREATE TABLE webhooks (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id text NOT NULL UNIQUE,
          url text NOT NULL,
          secret text NOT NULL,
          events text NOT NULL,
          created_at timestamptz NOT NULL
        );
        CREATE TABLE webhook_deliveries (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id text NOT NULL UNIQUE,
          webhook_id text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
          event_type text NOT NULL,
          payload text NOT NULL,
          state text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
          attempts integer NOT NULL DEFAULT 0,
          next_attempt_at timestamptz,
          last_status integer,
          last_error text,
          created_at timestamptz NOT NULL,
          delivered_at timestamptz
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
        CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, seq);
      `),
  },
  {
    version: 8,
    name: 'restream targets',
    // The stream key is a secret like the livestream's own; it leaves only masked.
    up: (db) =>
      db.query(`
        CREATE TABLE restream_targets (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id text NOT NULL UNIQUE,
          livestream_id text NOT NULL REFERENCES livestreams (id) ON DELETE CASCADE,
          name text NOT NULL,
          url text NOT NULL,
          stream_key text NOT NULL,
          enabled boolean NOT NULL,
          created_at timestamptz NOT NULL
        );
        CREATE INDEX restream_targets_by_livestream ON restream_targets (livestream_id, seq);
      `),
  },
  {
    version: 9,
    name: 'recording holding node',
    // The cluster node whose disk holds a recording's files: only it recovers, expires or deletes them.
    up: (db) => db.query('ALTER TABLE recordings ADD COLUMN node_id text'),
  },
  {
    version: 10,
    name: 'livestream top rung',
    // Whether the top rung may be the source's own video; NULL: the server's AXON_TOP_RUNG.
    up: (db) => db.query("ALTER TABLE livestreams ADD COLUMN top_rung text CHECK (top_rung IN ('auto', 'encode'))"),
  },
  {
    version: 11,
    name: 'thumbnail versions',
    // The version of the newest picture, which its public URL carries: every node builds the same URL from
    // it, whichever node holds the file. NULL until the first picture.
    up: (db) => db.query('ALTER TABLE livestreams ADD COLUMN thumbnail_version text; ALTER TABLE recordings ADD COLUMN thumbnail_version text'),
  },
];
