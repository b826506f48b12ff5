/** What both migrators know of a migration: its place in the schema's history. */
export interface MigrationStep {
  version: number;
  name: string;
}

export class MigrationError extends Error {}

/** A history must be numbered 1, 2, 3, ... with nothing left out. */
export function checkVersions(migrations: readonly MigrationStep[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}

/**
 * The first migration the database has not had, after checking that what it has is this history's
 * beginning; undefined when it is current.
 */
export function nextMigration<M extends MigrationStep>(applied: readonly MigrationStep[], migrations: readonly M[]): M | undefined {
  for (const row of applied) {
    const known = migrations[row.version - 1];
    // A database written by a newer Axon, or a migration renamed after it shipped: refuse rather than guess.
    if (!known) throw new MigrationError(`the database has migration ${row.version} ("${row.name}"), which this version does not know`);
    if (known.name !== row.name) {
      throw new MigrationError(`migration ${row.version} is "${row.name}" in the database but "${known.name}" in the code`);
    }
  }
  return migrations[applied.length];
}
