import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { applyMigrations } from './migrator.js';
import { migrations } from './migrations.js';

export type { Database };

export const DATABASE_FILE = 'axon.db';

/** Opens (or creates) `<dataDir>/axon.db` and migrates it to the current schema. */
export function openDatabase(dataDir: string): Database {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, DATABASE_FILE);
  const db = new BetterSqlite3(file);
  try {
    // Stream keys live here; SQLite gives the -wal and -shm files the same mode.
    fs.chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit: a committed write survives a power cut, not only a crash.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    applyMigrations(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
