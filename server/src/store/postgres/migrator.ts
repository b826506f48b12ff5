import type { Pool, PoolClient } from 'pg';
import { checkVersions, nextMigration, type MigrationStep } from '../migration-history.js';
import { inTransaction } from './transaction.js';

/** One step of the PostgreSQL schema's history. Applied once, in version order, inside a transaction. */
export interface PostgresMigration extends MigrationStep {
  up(db: PoolClient): Promise<unknown>;
}

/**
 * The advisory lock every Axon node takes to migrate ("AXON" in ASCII). Transaction-scoped: a node that
 * dies mid-migration lets it go with its connection.
 */
const MIGRATION_LOCK = 0x41584f4e;

/**
 * Brings the database up to the newest migration. Safe to run on every start, by every node at once:
 * each step is one transaction that takes the advisory lock before reading the applied versions, so nodes
 * starting together apply each migration once (the others wait, then find it done). PostgreSQL's DDL is
 * transactional: a failing migration rolls back alone; the ones before it stay.
 */
export async function applyPostgresMigrations(pool: Pool, migrations: readonly PostgresMigration[]): Promise<number[]> {
  checkVersions(migrations);
  const done: number[] = [];
  for (;;) {
    const version = await inTransaction(pool, (client) => step(client, migrations));
    if (version === undefined) return done;
    done.push(version);
  }
}

async function step(client: PoolClient, migrations: readonly PostgresMigration[]): Promise<number | undefined> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL
  )`);
  const applied = await client.query<MigrationStep>('SELECT version, name FROM schema_migrations ORDER BY version');
  const next = nextMigration(applied.rows, migrations);
  if (!next) return undefined;
  await next.up(client);
  await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [next.version, next.name]);
  return next.version;
}
