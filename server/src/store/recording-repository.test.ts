import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeKinds, type StoreUnderTest } from '../../test/fixtures/stores.js';
import type { LivestreamRepository } from './livestream-repository.js';
import type { RecordingRepository } from './recording-repository.js';

describe.each(storeKinds())('recording repository ($name)', (kind) => {
  let store: StoreUnderTest;
  let livestreams: LivestreamRepository;
  let repo: RecordingRepository;
  beforeEach(async () => {
    store = await kind.open();
    livestreams = store.livestreams;
    repo = store.recordings;
  });
  afterEach(() => store.close());

  const day = (d: number) => new Date(Date.UTC(2026, 0, d));

  it('lists only finished recordings, newest first, and finds unfinished ones for recovery', async () => {
    const ls = await livestreams.create({ name: 'A', record: true });
    await repo.begin({ id: 'bfirst01', livestreamId: ls.id, startedAt: day(1) });
    await repo.begin({ id: 'bsecond1', livestreamId: ls.id, startedAt: day(2) });
    expect(await repo.listFinished(ls.id)).toEqual([]);
    expect((await repo.listUnfinished(null)).map((r) => r.id)).toEqual(['bfirst01', 'bsecond1']);
    expect(await repo.finish('bfirst01', { status: 'complete', endedAt: day(3), durationS: 31.5 })).toBe(true);
    expect(await repo.finish('bsecond1', { status: 'interrupted', endedAt: day(4), durationS: 12 })).toBe(true);
    expect(await repo.listFinished(ls.id)).toEqual([
      { id: 'bsecond1', livestreamId: ls.id, status: 'interrupted', startedAt: day(2).toISOString(), endedAt: day(4).toISOString(), durationS: 12, nodeId: null, thumbnailVersion: null },
      { id: 'bfirst01', livestreamId: ls.id, status: 'complete', startedAt: day(1).toISOString(), endedAt: day(3).toISOString(), durationS: 31.5, nodeId: null, thumbnailVersion: null },
    ]);
    expect((await repo.getFinished(ls.id, 'bfirst01'))?.durationS).toBe(31.5);
    expect(await repo.getFinished('another-livestream', 'bfirst01')).toBeUndefined();
    expect(await repo.listUnfinished(null)).toEqual([]);
    expect((await repo.listEndedBefore(day(4), null)).map((r) => r.id)).toEqual(['bfirst01']);
    expect(await repo.finish('bunknown1', { status: 'complete', endedAt: day(5), durationS: 1 })).toBe(false);
  });

  it('keeps the node holding its files, and lists for recovery and retention only that node', async () => {
    const ls = await livestreams.create({ name: 'A', record: true });
    await repo.begin({ id: 'bnodea01', livestreamId: ls.id, startedAt: day(1), nodeId: 'aaaaaaaaaaaaaaaa' });
    await repo.begin({ id: 'bnodeb01', livestreamId: ls.id, startedAt: day(1), nodeId: 'bbbbbbbbbbbbbbbb' });
    await repo.begin({ id: 'bembed01', livestreamId: ls.id, startedAt: day(1) });
    expect((await repo.listUnfinished('aaaaaaaaaaaaaaaa')).map((r) => [r.id, r.nodeId])).toEqual([['bnodea01', 'aaaaaaaaaaaaaaaa']]);
    expect((await repo.listUnfinished(null)).map((r) => r.id)).toEqual(['bembed01']);
    for (const id of ['bnodea01', 'bnodeb01', 'bembed01']) await repo.finish(id, { status: 'complete', endedAt: day(2), durationS: 1 });
    expect((await repo.getFinished(ls.id, 'bnodeb01'))?.nodeId).toBe('bbbbbbbbbbbbbbbb');
    expect((await repo.listEndedBefore(day(3), 'bbbbbbbbbbbbbbbb')).map((r) => r.id)).toEqual(['bnodeb01']);
    expect((await repo.listEndedBefore(day(3), null)).map((r) => r.id)).toEqual(['bembed01']);
    expect(await repo.listEndedBefore(day(3), 'cccccccccccccccc')).toEqual([]);
  });

  it('keeps the version of its newest thumbnail, from while it is recorded', async () => {
    const ls = await livestreams.create({ name: 'A', record: true });
    await repo.begin({ id: 'bthumb01', livestreamId: ls.id, startedAt: day(1) });
    expect(await repo.setThumbnailVersion('bthumb01', 'first')).toBe(true);
    expect(await repo.setThumbnailVersion('bthumb01', 'second')).toBe(true);
    await repo.finish('bthumb01', { status: 'complete', endedAt: day(2), durationS: 1 });
    expect((await repo.getFinished(ls.id, 'bthumb01'))?.thumbnailVersion).toBe('second');
    expect((await repo.listFinished(ls.id)).map((r) => r.thumbnailVersion)).toEqual(['second']);
    expect(await repo.setThumbnailVersion('bunknown1', 'x')).toBe(false);
  });

  it('goes with its livestream, and refuses one for a livestream that does not exist', async () => {
    const ls = await livestreams.create({ name: 'A', record: true });
    await repo.begin({ id: 'bfirst01', livestreamId: ls.id, startedAt: day(1) });
    expect(await repo.idsOf(ls.id)).toEqual(new Set(['bfirst01']));
    await livestreams.delete(ls.id);
    expect(await repo.idsOf(ls.id)).toEqual(new Set());
    await expect(repo.begin({ id: 'bsecond1', livestreamId: ls.id, startedAt: day(1) })).rejects.toThrow(/foreign key/i);
  });
});
