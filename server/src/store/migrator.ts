import type { Database } from 'better-sqlite3';

/** One step of the schema's history. Applied once, in version order, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export class MigrationError extends Error {}

/** Brings the database up to the newest migration. Safe to run on every start. */
export function applyMigrations(db: Database, migrations: readonly Migration[]): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
  }[];
  for (const row of applied) {
    const known = migrations[row.version - 1];
    // A database written by a newer Axon, or a migration renamed after it shipped: refuse rather than guess.
    if (!known) throw new MigrationError(`the database has migration ${row.version} ("${row.name}"), which this version does not know`);
    if (known.name !== row.name) {
      throw new MigrationError(`migration ${row.version} is "${row.name}" in the database but "${known.name}" in the code`);
    }
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const pending = migrations.slice(applied.length);
  for (const m of pending) {
    db.transaction(() => {
      m.up(db);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
  return pending.map((m) => m.version);
}
