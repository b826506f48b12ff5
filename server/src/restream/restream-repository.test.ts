import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeKinds, type StoreUnderTest } from '../../test/fixtures/stores.js';
import type { RestreamRecord } from './restream-repository.js';

describe.each(storeKinds())('restream repository ($name)', (kind) => {
  let store: StoreUnderTest;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(() => store.close());

  const target = (livestreamId: string, n: number): RestreamRecord => ({
    id: `rs_target${n}aaaa`,
    livestreamId,
    name: `t${n}`,
    url: 'rtmp://live.example.com/app',
    streamKey: `key-${n}`,
    enabled: true,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  });

  it('keeps the targets of a livestream in order, up to the limit, and changes only what is given', async () => {
    const repo = store.restreams;
    const { id } = await store.livestreams.create({ name: 'a', record: false });
    expect(await repo.create(target(id, 1), 2)).toBe(true);
    expect(await repo.create(target(id, 2), 2)).toBe(true);
    expect(await repo.create(target(id, 3), 2)).toBe(false);
    expect((await repo.list(id)).map((t) => t.name)).toEqual(['t1', 't2']);

    const changed = await repo.update(id, 'rs_target1aaaa', { enabled: false, streamKey: 'new-key' });
    expect(changed).toEqual({ ...target(id, 1), enabled: false, streamKey: 'new-key' });
    expect(await repo.update('otherlivestream', 'rs_target1aaaa', { enabled: true })).toBeUndefined();
    expect(await repo.get(id, 'rs_target2aaaa')).toEqual(target(id, 2));

    expect(await repo.delete(id, 'rs_target2aaaa')).toBe(true);
    expect(await repo.delete(id, 'rs_target2aaaa')).toBe(false);
  });

  it('removes the targets with their livestream', async () => {
    const { id } = await store.livestreams.create({ name: 'b', record: false });
    await store.restreams.create(target(id, 5), 10);
    await store.livestreams.delete(id);
    expect(await store.restreams.list(id)).toEqual([]);
  });
});
