import pg from 'pg';
import type { Logger } from '../../log.js';
import { postgresMigrations } from './migrations.js';
import { applyPostgresMigrations } from './migrator.js';

/** Where the database is, for logs: host, port and database name, never the user or the password. */
export function describeDatabase(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
}

const INT8 = 20;
const TIMESTAMPTZ = 1184;

/**
 * A pool whose rows read as SQLite's do, so both stores share their row mappers: bigint as a number (the
 * identity columns stay far below 2^53) and timestamptz as an ISO 8601 string.
 */
export function createPool(url: string): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8) return Number;
        if (oid === TIMESTAMPTZ) return (value: string) => new Date(value).toISOString();
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
}

/** Connects to the PostgreSQL database at `url` and migrates it to the current schema. */
export async function openPostgres(url: string, log: Logger): Promise<pg.Pool> {
  const pool = createPool(url);
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
