import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/fixtures/temp-dirs.js';
import { FileCache } from './file-cache.js';
import type { ServableFile } from './file-response.js';

/** The content of a served file, whether it came from memory or from an open handle (which is then closed). */
async function contentOf(file: ServableFile | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  if ('body' in file) return file.body.toString();
  try {
    return (await file.handle.readFile()).toString();
  } finally {
    await file.handle.close();
  }
}

const tempDir = tempDirs();

describe('FileCache', () => {
  let dir: string;
  let cache: FileCache | undefined;
  const at = (name: string) => path.join(dir, name);
  const make = (o: ConstructorParameters<typeof FileCache>[0]) => (cache = new FileCache(o));

  beforeEach(() => {
    dir = tempDir('axon-file-cache-');
  });
  afterEach(() => cache?.close());

  it('reads a file once and answers later requests from memory', async () => {
    const files = make({ maxBytes: 1024 });
    fs.writeFileSync(at('seg.m4s'), 'segment');
    const first = await files.open(at('seg.m4s'));
    const second = await files.open(at('seg.m4s'));
    expect(await contentOf(second)).toBe('segment');
    expect(second).toBe(first);
    expect(files.stats()).toEqual({ files: 1, bytes: 7, hits: 1, misses: 1 });
  });

  it('serves a playlist replaced by rename at once, with its new ETag', async () => {
    const files = make({ maxBytes: 1024 });
    fs.writeFileSync(at('live.m3u8'), '#EXTM3U\n1');
    const before = await files.open(at('live.m3u8'));
    fs.writeFileSync(at('live.m3u8.tmp'), '#EXTM3U\n12');
    fs.renameSync(at('live.m3u8.tmp'), at('live.m3u8'));
    const after = await files.open(at('live.m3u8'));
    expect(await contentOf(after)).toBe('#EXTM3U\n12');
    expect(after!.etag).not.toBe(before!.etag);
    expect(files.stats()).toMatchObject({ files: 1, bytes: 10 });
  });

  it('keeps what a growing file held when read, and reads it again once it has grown', async () => {
    const files = make({ maxBytes: 1024 });
    fs.writeFileSync(at('seg.m4s'), 'part');
    expect(await contentOf(await files.open(at('seg.m4s')))).toBe('part');
    fs.appendFileSync(at('seg.m4s'), '-rest');
    const grown = await files.open(at('seg.m4s'));
    expect(await contentOf(grown)).toBe('part-rest');
    expect(grown!.size).toBe(9);
  });

  it('answers nothing for a deleted file and lets its memory go', async () => {
    const files = make({ maxBytes: 1024 });
    fs.writeFileSync(at('seg.m4s'), 'segment');
    await files.open(at('seg.m4s'));
    fs.rmSync(at('seg.m4s'));
    expect(await files.open(at('seg.m4s'))).toBeUndefined();
    expect(files.stats()).toMatchObject({ files: 0, bytes: 0 });
  });

  it('answers nothing for directories and paths through a file', async () => {
    const files = make({ maxBytes: 1024 });
    fs.mkdirSync(at('b1'));
    fs.writeFileSync(at('seg.m4s'), 'segment');
    expect(await files.open(at('b1'))).toBeUndefined();
    expect(await files.open(at('seg.m4s/x.m4s'))).toBeUndefined();
    expect(await files.open(at('none.m4s'))).toBeUndefined();
  });

  it('lets the least recently used files go first when full', async () => {
    const files = make({ maxBytes: 10 });
    for (const name of ['a', 'b', 'c']) fs.writeFileSync(at(name), name.repeat(4));
    await files.open(at('a'));
    await files.open(at('b'));
    await files.open(at('a'));
    await files.open(at('c'));
    expect(files.stats()).toMatchObject({ files: 2, bytes: 8 });
    await files.open(at('a'));
    expect(files.stats()).toMatchObject({ hits: 2, misses: 3 });
    await files.open(at('b'));
    expect(files.stats()).toMatchObject({ hits: 2, misses: 4 });
  });

  it('streams files larger than maxFileBytes from disk, never keeping them', async () => {
    const files = make({ maxBytes: 1024, maxFileBytes: 8 });
    fs.writeFileSync(at('recording.mp4'), 'a long recording');
    const file = await files.open(at('recording.mp4'));
    expect(file && 'handle' in file).toBe(true);
    expect(await contentOf(file)).toBe('a long recording');
    expect(files.stats()).toMatchObject({ files: 0, bytes: 0 });
  });

  it('keeps nothing when turned off', async () => {
    const files = make({ maxBytes: 0 });
    fs.writeFileSync(at('seg.m4s'), 'segment');
    expect(await contentOf(await files.open(at('seg.m4s')))).toBe('segment');
    expect(await contentOf(await files.open(at('seg.m4s')))).toBe('segment');
    expect(files.stats()).toEqual({ files: 0, bytes: 0, hits: 0, misses: 0 });
  });

  it('reads a file once for requests that arrive together', async () => {
    const files = make({ maxBytes: 1024 });
    fs.writeFileSync(at('seg.m4s'), 'segment');
    const [a, b, c] = await Promise.all([files.open(at('seg.m4s')), files.open(at('seg.m4s')), files.open(at('seg.m4s'))]);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('lets files nobody asked for in idleMs go', async () => {
    let now = 0;
    const files = make({ maxBytes: 1024, idleMs: 30_000, now: () => now });
    fs.writeFileSync(at('old.m4s'), 'old');
    fs.writeFileSync(at('new.m4s'), 'new');
    fs.writeFileSync(at('asked.m4s'), 'asked');
    await files.open(at('old.m4s'));
    await files.open(at('asked.m4s'));
    now = 20_000;
    await files.open(at('asked.m4s'));
    now = 30_000;
    files.sweep();
    expect(files.stats()).toMatchObject({ files: 1, bytes: 5 });
    now = 50_000;
    files.sweep();
    expect(files.stats()).toMatchObject({ files: 0, bytes: 0 });
    await files.open(at('new.m4s'));
    expect(files.stats()).toMatchObject({ files: 1, bytes: 3 });
  });
});
