import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostStatus } from '../cluster/broadcast-claims.js';
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
    expect(await theirs.claim(livestreamId)).toBe(true);
    expect(await ours.hostOf(livestreamId)).toBeDefined();
    expect(await ours.claim(livestreamId)).toBe(false);
    // Releasing what it does not hold changes nothing.
    await ours.release(livestreamId);
    expect(await ours.hostOf(livestreamId)).toBeDefined();

    other.kill('SIGKILL');
    await once(other, 'exit');
    expect(await ours.hostOf(livestreamId)).toBeUndefined();
    expect(await ours.claim(livestreamId)).toBe(true);
    await ours.release(livestreamId);
    expect(await ours.claim(livestreamId)).toBe(true);
  });

  it('frees the livestream when its holder releases it, and forgets claims of deleted livestreams', async () => {
    expect(await theirs.claim(livestreamId)).toBe(true);
    await theirs.release(livestreamId);
    expect(await ours.hostOf(livestreamId)).toBeUndefined();
    expect(await ours.claim(livestreamId)).toBe(true);
    db.prepare('DELETE FROM livestreams WHERE id = ?').run(livestreamId);
    expect(db.prepare('SELECT COUNT(*) AS n FROM live_claims').get()).toEqual({ n: 0 });
  });

  it('tells the other processes whether the broadcast is starting or playable, from each claim anew', async () => {
    expect(hostStatus(await ours.hostOf(livestreamId))).toBeUndefined();
    expect(await theirs.claim(livestreamId)).toBe(true);
    expect(hostStatus(await ours.hostOf(livestreamId))).toBe('starting');
    // Only the holder marks its claim.
    await ours.markPlayable(livestreamId);
    expect(hostStatus(await ours.hostOf(livestreamId))).toBe('starting');
    await theirs.markPlayable(livestreamId);
    expect(hostStatus(await ours.hostOf(livestreamId))).toBe('live');
    expect(hostStatus(await theirs.hostOf(livestreamId))).toBeUndefined();
    await theirs.release(livestreamId);
    expect(await theirs.claim(livestreamId)).toBe(true);
    expect(hostStatus(await ours.hostOf(livestreamId))).toBe('starting');
  });

  it('keeps a second publisher out of a livestream another process broadcasts', async () => {
    const registry = new SessionRegistry((id) => new IdleSession(id), ours);
    expect(await theirs.claim(livestreamId)).toBe(true);
    await expect(registry.reserve(livestreamId)).rejects.toThrow(AlreadyLiveError);
    expect(registry.isLive(livestreamId)).toBe(false);
    expect(await registry.isLiveAnywhere(livestreamId)).toBe(true);
    await theirs.release(livestreamId);
    expect(await registry.isLiveAnywhere(livestreamId)).toBe(false);
    const held = await registry.reserve(livestreamId);
    expect(await theirs.claim(livestreamId)).toBe(false);
    held.release();
    expect(await theirs.claim(livestreamId)).toBe(true);
  });
});
