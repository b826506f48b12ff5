import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { livestreamIdSchema } from '../../../shared/livestream.js';
import { InvalidCursorError, SqliteLivestreamRepository } from './livestream-repository.js';
import { migrations } from './migrations.js';
import { applyMigrations } from './migrator.js';

describe('SqliteLivestreamRepository', () => {
  let db: Database;
  let repo: SqliteLivestreamRepository;
  beforeEach(() => {
    db = new BetterSqlite3(':memory:');
    applyMigrations(db, migrations);
    repo = new SqliteLivestreamRepository(db);
  });
  afterEach(() => db.close());

  it('creates livestreams with a public id and a separate 256-bit URL-safe key', () => {
    const a = repo.create({ name: 'A', record: true });
    const b = repo.create({ name: 'B', record: false });
    expect(livestreamIdSchema.safeParse(a.id).success).toBe(true);
    expect(a.streamKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.streamKey).not.toContain(a.id);
    expect(b.id).not.toBe(a.id);
    expect(b.streamKey).not.toBe(a.streamKey);
    expect(repo.get(a.id)).toEqual(a);
    expect(repo.get(b.id)?.record).toBe(false);
    expect(Date.parse(a.createdAt)).not.toBeNaN();
  });

  it('updates only the given fields', () => {
    const a = repo.create({ name: 'A', record: true });
    expect(repo.update(a.id, { record: false })).toEqual({ ...a, record: false });
    expect(repo.update(a.id, { name: 'renamed' })).toEqual({ ...a, name: 'renamed', record: false });
    expect(repo.update('nonexistent-id', { name: 'x' })).toBeUndefined();
  });

  it('keeps a DVR window override, and can drop it again', () => {
    const a = repo.create({ name: 'A', record: true, dvrWindowS: 120 });
    expect(repo.get(a.id)?.dvrWindowS).toBe(120);
    expect(repo.update(a.id, { name: 'B' })?.dvrWindowS).toBe(120);
    expect(repo.update(a.id, { dvrWindowS: 30 })?.dvrWindowS).toBe(30);
    expect(repo.update(a.id, { dvrWindowS: null })?.dvrWindowS).toBeNull();
    expect(repo.create({ name: 'C', record: false }).dvrWindowS).toBeNull();
  });

  it('pages newest first with opaque cursors, stable across deletions', () => {
    const made = Array.from({ length: 5 }, (_, i) => repo.create({ name: `s${i}`, record: true }));
    const first = repo.list({ limit: 2 });
    expect(first.items.map((r) => r.name)).toEqual(['s4', 's3']);
    repo.delete(made[3]!.id);
    const second = repo.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((r) => r.name)).toEqual(['s2', 's1']);
    const third = repo.list({ limit: 2, cursor: second.nextCursor! });
    expect(third).toEqual({ items: [made[0]], nextCursor: null });
    expect(repo.list({ limit: 5 }).nextCursor).toBeNull();
  });

  it('rejects cursors it did not hand out', () => {
    repo.create({ name: 'A', record: true });
    for (const cursor of ['nope', Buffer.from('s0').toString('base64url'), Buffer.from('s01').toString('base64url'), '!!']) {
      expect(() => repo.list({ limit: 1, cursor })).toThrow(InvalidCursorError);
    }
  });

  it('authorizes publishes by key and refuses a rotated-out key at once', () => {
    const a = repo.create({ name: 'A', record: true });
    expect(repo.authorizePublish(a.id, a.streamKey)).toBe('ok');
    expect(repo.authorizePublish(a.id, 'wrong')).toBe('wrong_key');
    expect(repo.authorizePublish(a.id, '')).toBe('wrong_key');
    expect(repo.authorizePublish('unknown-livestream', a.streamKey)).toBe('unknown_livestream');
    const rotated = repo.rotateKey(a.id)!;
    expect(rotated.streamKey).not.toBe(a.streamKey);
    expect(repo.authorizePublish(a.id, a.streamKey)).toBe('wrong_key');
    expect(repo.authorizePublish(a.id, rotated.streamKey)).toBe('ok');
    expect(repo.rotateKey('unknown-livestream')).toBeUndefined();
  });

  it('finds a livestream by its current key only', () => {
    const a = repo.create({ name: 'A', record: true });
    const found = { livestreamId: a.id, result: 'ok' };
    expect(repo.resolveStreamKey(a.streamKey)).toEqual(found);
    expect(repo.resolveStreamKey('')).toBeUndefined();
    const rotated = repo.rotateKey(a.id)!;
    expect(repo.resolveStreamKey(a.streamKey)).toBeUndefined();
    expect(repo.resolveStreamKey(rotated.streamKey)).toEqual(found);
    repo.delete(a.id);
    expect(repo.resolveStreamKey(rotated.streamKey)).toBeUndefined();
  });

  it('refuses the key of a disabled livestream until it is enabled, and the wrong key as before', () => {
    const a = repo.create({ name: 'A', record: true });
    expect(a.enabled).toBe(true);
    expect(repo.update(a.id, { enabled: false })).toEqual({ ...a, enabled: false });
    expect(repo.update(a.id, { name: 'B' })?.enabled).toBe(false);
    expect(repo.authorizePublish(a.id, a.streamKey)).toBe('disabled');
    expect(repo.authorizePublish(a.id, 'wrong')).toBe('wrong_key');
    expect(repo.resolveStreamKey(a.streamKey)).toEqual({ livestreamId: a.id, result: 'disabled' });
    expect(repo.update(a.id, { enabled: true })?.enabled).toBe(true);
    expect(repo.authorizePublish(a.id, a.streamKey)).toBe('ok');
    expect(repo.resolveStreamKey(a.streamKey)).toEqual({ livestreamId: a.id, result: 'ok' });
  });

  it('keeps the livestreams made before livestreams could be disabled enabled', () => {
    const older = new BetterSqlite3(':memory:');
    applyMigrations(older, migrations.filter((m) => m.version < 5));
    older
      .prepare("INSERT INTO livestreams (id, name, stream_key, record, created_at) VALUES ('older-livestream', 'Old', 'key', 1, ?)")
      .run(new Date().toISOString());
    applyMigrations(older, migrations);
    expect(new SqliteLivestreamRepository(older).get('older-livestream')?.enabled).toBe(true);
    older.close();
  });

  it('deletes', () => {
    const a = repo.create({ name: 'A', record: true });
    expect(repo.delete(a.id)).toBe(true);
    expect(repo.delete(a.id)).toBe(false);
    expect(repo.get(a.id)).toBeUndefined();
    expect(repo.authorizePublish(a.id, a.streamKey)).toBe('unknown_livestream');
  });
});
