import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { openStore } from '../src/store/open-store.js';
import { postgresMigrations } from '../src/store/postgres/migrations.js';
import { testPostgres } from './fixtures/postgres.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const module = (file: string) => JSON.stringify(new URL(file, import.meta.url).href);

/**
 * Processes (Axon nodes) that start together on one fresh database must apply each migration once. A slow
 * migration (0.8 s) makes the overlap certain: without the lock taken before reading the applied versions,
 * the later processes read "nothing applied" and run it again ("table t already exists").
 */
const tempDir = tempDirs();
const postgres = testPostgres();

/** Runs `script` (an ES module body) in `count` Node processes at once; resolves to their exit codes with their stderr. */
function runTogether(count: number, script: string) {
  return Promise.all(
    Array.from({ length: count }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      return new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
    }),
  );
}

const expectAllExitedCleanly = (exits: { code: number | null; stderr: string }[]) => {
  for (const e of exits) expect(e, e.stderr).toMatchObject({ code: 0 });
};

async function appliedMigrations(url: string): Promise<{ version: number; applied_at: Date }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ version: number; applied_at: Date }>('SELECT version, applied_at FROM schema_migrations ORDER BY version')).rows;
  } finally {
    await client.end();
  }
}

describe('nodes starting together', () => {
  it('apply a SQLite migration once when several processes migrate one fresh database together', async () => {
    const file = path.join(tempDir('axon-db-race-'), 'race.db');
    const exits = await runTogether(
      3,
      `
      const { default: Database } = await import('better-sqlite3');
      const { applyMigrations } = await import(${module('../src/store/migrator.ts')});
      const db = new Database(${JSON.stringify(file)}, { timeout: 10000 });
      db.pragma('journal_mode = WAL');
      applyMigrations(db, [{ version: 1, name: 'slow', up(d) {
        d.exec('CREATE TABLE t (x INTEGER)');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 800);
      } }]);
      db.close();`,
    );
    expectAllExitedCleanly(exits);
    const db = new Database(file);
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }]);
    db.close();
  });

  it('apply a PostgreSQL migration once when several processes migrate one fresh database together', async () => {
    const url = await postgres.createDatabase();
    const exits = await runTogether(
      3,
      `
      const { default: pg } = await import('pg');
      const { applyPostgresMigrations } = await import(${module('../src/store/postgres/migrator.ts')});
      const pool = new pg.Pool({ connectionString: ${JSON.stringify(url)} });
      await applyPostgresMigrations(pool, [{ version: 1, name: 'slow', up: (db) => db.query('CREATE TABLE t (x integer); SELECT pg_sleep(0.8)') }]);
      await pool.end();`,
    );
    expectAllExitedCleanly(exits);
    expect((await appliedMigrations(url)).map((m) => m.version)).toEqual([1]);
  });

  it('share one PostgreSQL store: two nodes opening it at once migrate it once, and a node opening it later loses nothing', async () => {
    const url = await postgres.createDatabase();
    const config = { dataDir: tempDir('axon-pg-node-'), databaseUrl: url, chatHistory: 500 };
    const exits = await runTogether(
      2,
      `
      const { openStore } = await import(${module('../src/store/open-store.ts')});
      const { createLogger, setLogLevel } = await import(${module('../src/log.ts')});
      setLogLevel('error');
      const store = await openStore(${JSON.stringify(config)}, createLogger('node'));
      await store.close();`,
    );
    expectAllExitedCleanly(exits);
    const applied = await appliedMigrations(url);
    expect(applied.map((m) => m.version)).toEqual(postgresMigrations.map((m) => m.version));

    const log = createLogger('test');
    const first = await openStore(config, log);
    const ls = await first.livestreams.create({ name: 'Kept', record: true, dvrWindowS: 60 });
    await first.recordings.begin({ id: 'bkept00001', livestreamId: ls.id, startedAt: new Date('2026-01-01T00:00:00Z') });
    const message = await first.chat.add({ livestreamId: ls.id, participantId: 'p1', name: 'Ann', text: 'still here' });
    await first.chat.ban(ls.id, 'p2');

    // A second node starts while the first is serving.
    const second = await openStore(config, log);
    try {
      expect(await second.livestreams.get(ls.id)).toEqual(ls);
      expect(await second.livestreams.authorizePublish(ls.id, ls.streamKey)).toBe('ok');
      expect((await second.recordings.listUnfinished(null)).map((r) => r.id)).toEqual(['bkept00001']);
      expect(await second.chat.recent(ls.id, 50)).toEqual([message]);
      expect(await second.chat.isBanned(ls.id, 'p2')).toBe(true);
      expect(await appliedMigrations(url)).toEqual(applied);
      expect(second.sqlite).toBeUndefined();
    } finally {
      await second.close();
      await first.close();
    }
  });
});
