import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { tempDirs } from './fixtures/temp-dirs.js';

const migratorModule = new URL('../src/store/migrator.ts', import.meta.url).href;

/**
 * Processes that start together on one fresh database must apply each migration once. A slow migration
 * (0.8 s) makes the overlap certain: without the write lock taken before reading the applied versions,
 * the later processes read "nothing applied" and run it again ("table t already exists").
 */
const tempDir = tempDirs();

it('applies a migration once when several processes migrate one fresh database together', async () => {
  const file = path.join(tempDir('axon-db-race-'), 'race.db');
  const script = `
    const { default: Database } = await import('better-sqlite3');
    const { applyMigrations } = await import(${JSON.stringify(migratorModule)});
    const db = new Database(${JSON.stringify(file)}, { timeout: 10000 });
    db.pragma('journal_mode = WAL');
    applyMigrations(db, [{ version: 1, name: 'slow', up(d) {
      d.exec('CREATE TABLE t (x INTEGER)');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 800);
    } }]);
    db.close();`;
  const exits = await Promise.all(
    Array.from({ length: 3 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      return new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
    }),
  );
  for (const e of exits) expect(e, e.stderr).toMatchObject({ code: 0 });
  const db = new Database(file);
  expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }]);
  db.close();
});
