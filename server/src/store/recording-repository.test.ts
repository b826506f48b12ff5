import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLivestreamRepository } from './livestream-repository.js';
import { migrations } from './migrations.js';
import { applyMigrations } from './migrator.js';
import { SqliteRecordingRepository } from './recording-repository.js';

describe('SqliteRecordingRepository', () => {
  let db: Database;
  let livestreams: SqliteLivestreamRepository;
  let repo: SqliteRecordingRepository;
  beforeEach(() => {
    db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, migrations);
    livestreams = new SqliteLivestreamRepository(db);
    repo = new SqliteRecordingRepository(db);
  });
  afterEach(() => db.close());

  const day = (d: number) => new Date(Date.UTC(2026, 0, d));

  it('lists only finished recordings, newest first, and finds unfinished ones for recovery', () => {
    const ls = livestreams.create({ name: 'A', record: true });
    repo.begin({ id: 'bfirst01', livestreamId: ls.id, startedAt: day(1) });
    repo.begin({ id: 'bsecond1', livestreamId: ls.id, startedAt: day(2) });
    expect(repo.listFinished(ls.id)).toEqual([]);
    expect(repo.listUnfinished().map((r) => r.id)).toEqual(['bfirst01', 'bsecond1']);
    expect(repo.finish('bfirst01', { status: 'complete', endedAt: day(3), durationS: 31.5 })).toBe(true);
    expect(repo.finish('bsecond1', { status: 'interrupted', endedAt: day(4), durationS: 12 })).toBe(true);
    expect(repo.listFinished(ls.id)).toEqual([
      { id: 'bsecond1', livestreamId: ls.id, status: 'interrupted', startedAt: day(2).toISOString(), endedAt: day(4).toISOString(), durationS: 12 },
      { id: 'bfirst01', livestreamId: ls.id, status: 'complete', startedAt: day(1).toISOString(), endedAt: day(3).toISOString(), durationS: 31.5 },
    ]);
    expect(repo.getFinished(ls.id, 'bfirst01')?.durationS).toBe(31.5);
    expect(repo.getFinished('another-livestream', 'bfirst01')).toBeUndefined();
    expect(repo.listUnfinished()).toEqual([]);
    expect(repo.listEndedBefore(day(4)).map((r) => r.id)).toEqual(['bfirst01']);
    expect(repo.finish('bunknown1', { status: 'complete', endedAt: day(5), durationS: 1 })).toBe(false);
  });

  it('goes with its livestream, and refuses one for a livestream that does not exist', () => {
    const ls = livestreams.create({ name: 'A', record: true });
    repo.begin({ id: 'bfirst01', livestreamId: ls.id, startedAt: day(1) });
    expect(repo.idsOf(ls.id)).toEqual(new Set(['bfirst01']));
    livestreams.delete(ls.id);
    expect(repo.idsOf(ls.id)).toEqual(new Set());
    expect(() => repo.begin({ id: 'bsecond1', livestreamId: ls.id, startedAt: day(1) })).toThrow(/FOREIGN KEY/);
  });
});
