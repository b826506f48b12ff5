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
];
