import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations, MigrationError, type Migration } from './migrator.js';

const createA: Migration = { version: 1, name: 'create a', up: (db) => db.exec('CREATE TABLE a (x INTEGER) STRICT') };
const createB: Migration = { version: 2, name: 'create b', up: (db) => db.exec('CREATE TABLE b (y INTEGER) STRICT') };

const tables = (db: Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
const versions = (db: Database) =>
  (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);

describe('applyMigrations', () => {
  let db: Database;
  beforeEach(() => {
    db = new BetterSqlite3(':memory:');
  });
  afterEach(() => db.close());

  it('applies pending migrations in order and records each', () => {
    expect(applyMigrations(db, [createA])).toEqual([1]);
    expect(applyMigrations(db, [createA, createB])).toEqual([2]);
    expect(versions(db)).toEqual([1, 2]);
    expect(tables(db)).toEqual(expect.arrayContaining(['a', 'b', 'schema_migrations']));
  });

  it('does nothing when the database is current', () => {
    applyMigrations(db, [createA, createB]);
    expect(applyMigrations(db, [createA, createB])).toEqual([]);
  });

  it('rolls a failing migration back entirely and keeps the ones before it', () => {
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up: (d) => {
        d.exec('CREATE TABLE half (z INTEGER)');
        d.exec('THIS IS NOT SQL');
      },
    };
    expect(() => applyMigrations(db, [createA, broken])).toThrow();
    expect(versions(db)).toEqual([1]);
    expect(tables(db)).not.toContain('half');
  });

  it('refuses a list whose versions are not 1, 2, 3, ...', () => {
    expect(() => applyMigrations(db, [createB])).toThrow(MigrationError);
    expect(() => applyMigrations(db, [createA, { ...createB, version: 3 }])).toThrow(MigrationError);
  });

  it('refuses a database migrated by a newer version or with a renamed migration', () => {
    applyMigrations(db, [createA, createB]);
    expect(() => applyMigrations(db, [createA])).toThrow(/does not know/);
    expect(() => applyMigrations(db, [createA, { ...createB, name: 'renamed' }])).toThrow(/in the database/);
  });
});
