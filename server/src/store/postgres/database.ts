import pg from 'pg';
import type { Logger } from '../../log.js';
import { postgresMigrations } from './migrations.js';
import { applyPostgresMigrations } from './migrator.js';

/** Where the database is, for logs: host, port and database name, never the user or the password. */
export function describeDatabase(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
}

/** Connects to the PostgreSQL database at `url` and migrates it to the current schema. */
export async function openPostgres(url: string, log: Logger): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle connection the server dropped is replaced at the next query; unheard, the error would end the process.
  pool.on('error', (err) => log.warn('an idle PostgreSQL connection failed', { err }));
  try {
    const applied = await applyPostgresMigrations(pool, postgresMigrations);
    log.info('PostgreSQL store ready', { database: describeDatabase(url), migrationsApplied: applied });
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}
