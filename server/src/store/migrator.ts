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
  // Each step is one IMMEDIATE transaction that takes the write lock before reading the applied versions,
  // so processes starting together on one database apply each migration once: the second waits, then
  // finds it done. A failing migration rolls back alone; the ones before it stay.
  const step = db.transaction((): number | null => {
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
    const next = migrations[applied.length];
    if (!next) return null;
    next.up(db);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(next.version, next.name, new Date().toISOString());
    return next.version;
  });
  const done: number[] = [];
  for (let version = step.immediate(); version !== null; version = step.immediate()) done.push(version);
  return done;
}
