import type { Database } from 'better-sqlite3';
import { checkVersions, nextMigration, type MigrationStep } from './migration-history.js';

export { MigrationError } from './migration-history.js';

/** One step of the SQLite schema's history. Applied once, in version order, inside a transaction. */
export interface Migration extends MigrationStep {
  up(db: Database): void;
}

/** Brings the database up to the newest migration. Safe to run on every start. */
export function applyMigrations(db: Database, migrations: readonly Migration[]): number[] {
  checkVersions(migrations);
  // Each step is one IMMEDIATE transaction that takes the write lock before reading the applied versions,
  // so processes starting together on one database apply each migration once: the second waits, then
  // finds it done. A failing migration rolls back alone; the ones before it stay.
  const step = db.transaction((): number | null => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
    const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as MigrationStep[];
    const next = nextMigration(applied, migrations);
    if (!next) return null;
    next.up(db);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(next.version, next.name, new Date().toISOString());
    return next.version;
  });
  const done: number[] = [];
  for (let version = step.immediate(); version !== null; version = step.immediate()) done.push(version);
  return done;
}
