import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { livestreamIdSchema } from '../../../shared/livestream.js';
import { storeKinds, type StoreUnderTest } from '../../test/fixtures/stores.js';
import { InvalidCursorError, type LivestreamRepository } from './livestream-repository.js';

describe.each(storeKinds())('livestream repository ($name)', (kind) => {
  let store: StoreUnderTest;
  let repo: LivestreamRepository;
  beforeEach(async () => {
    store = await kind.open();
    repo = store.livestreams;
  });
  afterEach(() => store.close());

  it('creates livestreams with a public id and a separate 256-bit URL-safe key', async () => {
    const a = await repo.create({ name: 'A', record: true });
    const b = await repo.create({ name: 'B', record: false });
    expect(livestreamIdSchema.safeParse(a.id).success).toBe(true);
    expect(a.streamKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.streamKey).not.toContain(a.id);
    expect(b.id).not.toBe(a.id);
    expect(b.streamKey).not.toBe(a.streamKey);
    expect(await repo.get(a.id)).toEqual(a);
    expect((await repo.get(b.id))?.record).toBe(false);
    expect(Date.parse(a.createdAt)).not.toBeNaN();
  });

  it('updates only the given fields', async () => {
    const a = await repo.create({ name: 'A', record: true });
    expect(await repo.update(a.id, { record: false })).toEqual({ ...a, record: false });
    expect(await repo.update(a.id, { name: 'renamed' })).toEqual({ ...a, name: 'renamed', record: false });
    expect(await repo.update('nonexistent-id', { name: 'x' })).toBeUndefined();
  });

  it('keeps a DVR window override, and can drop it again', async () => {
    const a = await repo.create({ name: 'A', record: true, dvrWindowS: 120 });
    expect((await repo.get(a.id))?.dvrWindowS).toBe(120);
    expect((await repo.update(a.id, { name: 'B' }))?.dvrWindowS).toBe(120);
    expect((await repo.update(a.id, { dvrWindowS: 30 }))?.dvrWindowS).toBe(30);
    expect((await repo.update(a.id, { dvrWindowS: null }))?.dvrWindowS).toBeNull();
    expect((await repo.create({ name: 'C', record: false })).dvrWindowS).toBeNull();
  });

  it('keeps a top rung setting, and can drop it again', async () => {
    const a = await repo.create({ name: 'A', record: true, topRung: 'encode' });
    expect((await repo.get(a.id))?.topRung).toBe('encode');
    expect((await repo.update(a.id, { name: 'B' }))?.topRung).toBe('encode');
    expect((await repo.update(a.id, { topRung: 'auto' }))?.topRung).toBe('auto');
    expect((await repo.update(a.id, { topRung: null }))?.topRung).toBeNull();
    expect((await repo.create({ name: 'C', record: false })).topRung).toBeNull();
  });

  it('keeps the version of its newest thumbnail, which no other change touches', async () => {
    const a = await repo.create({ name: 'A', record: true });
    expect(a.thumbnailVersion).toBeNull();
    expect(await repo.setThumbnailVersion(a.id, 'first')).toBe(true);
    expect(await repo.setThumbnailVersion(a.id, 'second')).toBe(true);
    expect((await repo.get(a.id))?.thumbnailVersion).toBe('second');
    expect((await repo.update(a.id, { name: 'B' }))?.thumbnailVersion).toBe('second');
    expect((await repo.rotateKey(a.id))?.thumbnailVersion).toBe('second');
    expect((await repo.list({ limit: 1 })).items[0]?.thumbnailVersion).toBe('second');
    expect(await repo.setThumbnailVersion('nonexistent-id', 'x')).toBe(false);
  });

  it('pages newest first with opaque cursors, stable across deletions', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await repo.create({ name: `s${i}`, record: true }));
    const first = await repo.list({ limit: 2 });
    expect(first.items.map((r) => r.name)).toEqual(['s4', 's3']);
    await repo.delete(made[3]!.id);
    const second = await repo.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((r) => r.name)).toEqual(['s2', 's1']);
    const third = await repo.list({ limit: 2, cursor: second.nextCursor! });
    expect(third).toEqual({ items: [made[0]], nextCursor: null });
    expect((await repo.list({ limit: 5 })).nextCursor).toBeNull();
  });

  it('rejects cursors it did not hand out', async () => {
    await repo.create({ name: 'A', record: true });
    for (const cursor of ['nope', Buffer.from('s0').toString('base64url'), Buffer.from('s01').toString('base64url'), '!!']) {
      await expect(repo.list({ limit: 1, cursor })).rejects.toThrow(InvalidCursorError);
    }
  });

  it('authorizes publishes by key and refuses a rotated-out key at once', async () => {
    const a = await repo.create({ name: 'A', record: true });
    expect(await repo.authorizePublish(a.id, a.streamKey)).toBe('ok');
    expect(await repo.authorizePublish(a.id, 'wrong')).toBe('wrong_key');
    expect(await repo.authorizePublish(a.id, '')).toBe('wrong_key');
    expect(await repo.authorizePublish('unknown-livestream', a.streamKey)).toBe('unknown_livestream');
    const rotated = (await repo.rotateKey(a.id))!;
    expect(rotated.streamKey).not.toBe(a.streamKey);
    expect(await repo.authorizePublish(a.id, a.streamKey)).toBe('wrong_key');
    expect(await repo.authorizePublish(a.id, rotated.streamKey)).toBe('ok');
    expect(await repo.rotateKey('unknown-livestream')).toBeUndefined();
  });

  it('finds a livestream by its current key only', async () => {
    const a = await repo.create({ name: 'A', record: true });
    const found = { livestreamId: a.id, result: 'ok' };
    expect(await repo.resolveStreamKey(a.streamKey)).toEqual(found);
    expect(await repo.resolveStreamKey('')).toBeUndefined();
    const rotated = (await repo.rotateKey(a.id))!;
    expect(await repo.resolveStreamKey(a.streamKey)).toBeUndefined();
    expect(await repo.resolveStreamKey(rotated.streamKey)).toEqual(found);
    await repo.delete(a.id);
    expect(await repo.resolveStreamKey(rotated.streamKey)).toBeUndefined();
  });

  it('refuses the key of a disabled livestream until it is enabled, and the wrong key as before', async () => {
    const a = await repo.create({ name: 'A', record: true });
    expect(a.enabled).toBe(true);
    expect(await repo.update(a.id, { enabled: false })).toEqual({ ...a, enabled: false });
    expect((await repo.update(a.id, { name: 'B' }))?.enabled).toBe(false);
    expect(await repo.authorizePublish(a.id, a.streamKey)).toBe('disabled');
    expect(await repo.authorizePublish(a.id, 'wrong')).toBe('wrong_key');
    expect(await repo.resolveStreamKey(a.streamKey)).toEqual({ livestreamId: a.id, result: 'disabled' });
    expect((await repo.update(a.id, { enabled: true }))?.enabled).toBe(true);
    expect(await repo.authorizePublish(a.id, a.streamKey)).toBe('ok');
    expect(await repo.resolveStreamKey(a.streamKey)).toEqual({ livestreamId: a.id, result: 'ok' });
  });

  it('keeps the livestreams made before livestreams could be disabled enabled', async () => {
    const older = await kind.open(4);
    try {
      await older.rows('INSERT INTO livestreams (id, name, stream_key, record, created_at) VALUES (?, ?, ?, ?, ?)',
        'older-livestream', 'Old', 'key', kind.name === 'sqlite' ? 1 : true, new Date().toISOString());
      await older.migrate();
      expect((await older.livestreams.get('older-livestream'))?.enabled).toBe(true);
    } finally {
      await older.close();
    }
  });

  it('deletes', async () => {
    const a = await repo.create({ name: 'A', record: true });
    expect(await repo.delete(a.id)).toBe(true);
    expect(await repo.delete(a.id)).toBe(false);
    expect(await repo.get(a.id)).toBeUndefined();
    expect(await repo.authorizePublish(a.id, a.streamKey)).toBe('unknown_livestream');
  });
});
