import { describe, expect, it } from 'vitest';
import type { Livestream, LivestreamList } from '../../../shared/livestream.js';
import { listAll } from './list-all.js';

const item = (id: string) => ({ id }) as Livestream;

describe('listAll', () => {
  it('follows nextCursor until the last page', async () => {
    const pages: Record<string, LivestreamList> = {
      start: { items: [item('a'), item('b')], nextCursor: 'c1' },
      c1: { items: [item('c')], nextCursor: 'c2' },
      c2: { items: [item('d')], nextCursor: null },
    };
    const cursors: Array<string | undefined> = [];
    const items = await listAll(async (cursor) => {
      cursors.push(cursor);
      return pages[cursor ?? 'start']!;
    });
    expect(items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(cursors).toEqual([undefined, 'c1', 'c2']);
  });

  it('stops when a cursor repeats instead of looping forever', async () => {
    let calls = 0;
    const items = await listAll(async () => {
      calls += 1;
      return { items: [item(String(calls))], nextCursor: 'same' };
    });
    expect(calls).toBe(2);
    expect(items).toHaveLength(2);
  });

  it('passes API errors on', async () => {
    await expect(listAll(() => Promise.reject(new Error('Wrong token')))).rejects.toThrow('Wrong token');
  });
});
