import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processOwner, thisProcess } from '../process-owner.js';
import { IdleSession } from '../../test/fixtures/idle-session.js';
import { AlreadyLiveError, SessionRegistry } from '../session/session-registry.js';
import { LiveClaims } from './live-claims.js';
import { SqliteLivestreamRepository } from './sqlite/livestream-repository.js';
import { migrations } from './migrations.js';
import { applyMigrations } from './migrator.js';

describe('LiveClaims', () => {
  let db: Database;
  let livestreamId: string;
  let other: ChildProcess;
  /** Claims as another running process (a child standing in for a second Axon process) makes them. */
  let theirs: LiveClaims;
  let ours: LiveClaims;

  beforeEach(async () => {
    db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, migrations);
    livestreamId = (await new SqliteLivestreamRepository(db).create({ name: 'shared', record: true })).id;
    other = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(other, 'spawn');
    theirs = new LiveClaims(db, processOwner(other.pid!)!);
    ours = new LiveClaims(db, thisProcess());
  });
  afterEach(async () => {
    if (other.exitCode === null && other.signalCode === null) {
      other.kill('SIGKILL');
      await once(other, 'exit');
    }
    db.close();
  });

  it('lets one process at a time hold a livestream, and takes over the claim of one that died', async () => {
    expect(theirs.claim(livestreamId)).toBe(true);
    expect(ours.heldElsewhere(livestreamId)).toBe(true);
    expect(ours.claim(livestreamId)).toBe(false);
    // Releasing what it does not hold changes nothing.
    ours.release(livestreamId);
    expect(ours.heldElsewhere(livestreamId)).toBe(true);

    other.kill('SIGKILL');
    await once(other, 'exit');
    expect(ours.heldElsewhere(livestreamId)).toBe(false);
    expect(ours.claim(livestreamId)).toBe(true);
    ours.release(livestreamId);
    expect(ours.claim(livestreamId)).toBe(true);
  });

  it('frees the livestream when its holder releases it, and forgets claims of deleted livestreams', () => {
    expect(theirs.claim(livestreamId)).toBe(true);
    theirs.release(livestreamId);
    expect(ours.heldElsewhere(livestreamId)).toBe(false);
    expect(ours.claim(livestreamId)).toBe(true);
    db.prepare('DELETE FROM livestreams WHERE id = ?').run(livestreamId);
    expect(db.prepare('SELECT COUNT(*) AS n FROM live_claims').get()).toEqual({ n: 0 });
  });

  it('tells the other processes whether the broadcast is starting or playable, from each claim anew', () => {
    expect(ours.statusElsewhere(livestreamId)).toBeUndefined();
    expect(theirs.claim(livestreamId)).toBe(true);
    expect(ours.statusElsewhere(livestreamId)).toBe('starting');
    // Only the holder marks its claim.
    ours.markPlayable(livestreamId);
    expect(ours.statusElsewhere(livestreamId)).toBe('starting');
    theirs.markPlayable(livestreamId);
    expect(ours.statusElsewhere(livestreamId)).toBe('live');
    expect(theirs.statusElsewhere(livestreamId)).toBeUndefined();
    theirs.release(livestreamId);
    expect(theirs.claim(livestreamId)).toBe(true);
    expect(ours.statusElsewhere(livestreamId)).toBe('starting');
  });

  it('keeps a second publisher out of a livestream another process broadcasts', () => {
    const registry = new SessionRegistry((id) => new IdleSession(id), ours);
    expect(theirs.claim(livestreamId)).toBe(true);
    expect(() => registry.reserve(livestreamId)).toThrow(AlreadyLiveError);
    expect(registry.isLive(livestreamId)).toBe(false);
    expect(registry.isLiveAnywhere(livestreamId)).toBe(true);
    theirs.release(livestreamId);
    expect(registry.isLiveAnywhere(livestreamId)).toBe(false);
    const held = registry.reserve(livestreamId);
    expect(theirs.claim(livestreamId)).toBe(false);
    held.release();
    expect(theirs.claim(livestreamId)).toBe(true);
  });
});
