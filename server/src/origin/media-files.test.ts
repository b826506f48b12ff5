import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/fixtures/temp-dirs.js';
import { livestreamDir } from '../media/media-layout.js';
import { removeLivestreamMedia, resolveMediaFile } from './media-files.js';

const tempDir = tempDirs();
const mediaDir = '/srv/axon/media';
const id = 'abcDEF123_-x';

describe('resolveMediaFile', () => {
  it('maps a stream file under the livestream directory', () => {
    expect(resolveMediaFile(mediaDir, id, 'b1/r1/seg-0-00001.m4s')).toEqual({
      absPath: `${mediaDir}/${id}/b1/r1/seg-0-00001.m4s`,
      type: { contentType: 'video/iso.segment', cacheControl: 'public, max-age=31536000, immutable' },
    });
  });

  it('refuses unsafe paths and files that are not stream files', () => {
    expect(resolveMediaFile(mediaDir, id, '..%2fother-livestream%2fmaster.m3u8')).toBeUndefined();
    expect(resolveMediaFile(mediaDir, id, 'notes.txt')).toBeUndefined();
    expect(resolveMediaFile(mediaDir, id, '')).toBeUndefined();
  });

  it('refuses an invalid livestream id', () => {
    expect(() => resolveMediaFile(mediaDir, '..', 'master.m3u8')).toThrow();
    expect(() => livestreamDir(mediaDir, 'a/b/c/d/e/f')).toThrow();
  });
});

describe('removeLivestreamMedia', () => {
  it('removes the livestream directory only, and tolerates a missing one', async () => {
    const root = tempDir('axon-media-');
    fs.mkdirSync(path.join(root, id, 'b1'), { recursive: true });
    fs.writeFileSync(path.join(root, id, 'b1', 'seg-1.m4s'), 'x');
    fs.mkdirSync(path.join(root, 'otherLivestream'));
    await removeLivestreamMedia(root, id);
    await removeLivestreamMedia(root, id);
    expect(fs.readdirSync(root)).toEqual(['otherLivestream']);
  });
});
