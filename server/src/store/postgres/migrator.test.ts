import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testPostgres } from '../../../test/fixtures/postgres.js';
import { migrations } from '../migrations.js';
import { MigrationError } from '../migration-history.js';
import { postgresMigrations } from './migrations.js';
import { applyPostgresMigrations, type PostgresMigration } from './migrator.js';

const createA: PostgresMigration = { version: 1, name: 'create a', up: (db) => db.query('CREATE TABLE a (x integer)') };
const createB: PostgresMigration = { version: 2, name: 'create b', up: (db) => db.query('CREATE TABLE b (y integer)') };

const server = testPostgres();

describe('applyPostgresMigrations', () => {
  let pool: pg.Pool;
  const tables = async () =>
    (await pool.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map((r) => r.tablename);
  const versions = async () => (await pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
  beforeEach(async () => {
    pool = new pg.Pool({ connectionString: await server.createDatabase() });
  });
  afterEach(() => pool.end());

  it('applies pending migrations in order, records each, and does nothing when the database is current', async () => {
    expect(await applyPostgresMigrations(pool, [createA])).toEqual([1]);
    expect(await applyPostgresMigrations(pool, [createA, createB])).toEqual([2]);
    expect(await applyPostgresMigrations(pool, [createA, createB])).toEqual([]);
    expect(await versions()).toEqual([1, 2]);
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations']);
  });

  it('rolls a failing migration back entirely and keeps the ones before it', async () => {
    const broken: PostgresMigration = {
      version: 2,
      name: 'broken',
      up: async (db) => {
        await db.query('CREATE TABLE half (z integer)');
        await db.query('THIS IS NOT SQL');
      },
    };
    await expect(applyPostgresMigrations(pool, [createA, broken])).rejects.toThrow(/syntax error/);
    expect(await versions()).toEqual([1]);
    expect(await tables()).not.toContain('half');
  });

  it('refuses a list whose versions are not 1, 2, 3, ..., a database migrated by a newer version, and a renamed migration', async () => {
    await expect(applyPostgresMigrations(pool, [createB])).rejects.toThrow(MigrationError);
    await applyPostgresMigrations(pool, [createA, createB]);
    await expect(applyPostgresMigrations(pool, [createA])).rejects.toThrow(/does not know/);
    await expect(applyPostgresMigrations(pool, [createA, { ...createB, name: 'renamed' }])).rejects.toThrow(/in the database/);
  });

  it('keeps the same history as SQLite, version for version and name for name', () => {
    const history = (list: readonly { version: number; name: string }[]) => list.map(({ version, name }) => ({ version, name }));
    expect(history(postgresMigrations)).toEqual(history(migrations));
  });
});
