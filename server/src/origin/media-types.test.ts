import { describe, expect, it } from 'vitest';
import { mediaTypeOf } from './media-types.js';

describe('mediaTypeOf', () => {
  it.each([
    ['master.m3u8', 'application/vnd.apple.mpegurl', 'public, max-age=1'],
    ['manifest.mpd', 'application/dash+xml', 'public, max-age=1'],
    ['init-0.m4s', 'video/mp4', 'public, max-age=31536000, immutable'],
    ['seg-0-00001.m4s', 'video/iso.segment', 'public, max-age=31536000, immutable'],
    ['thumbnail.jpg', 'image/jpeg', 'public, max-age=5'],
  ])('%s is %s with %s', (name, contentType, cacheControl) => {
    expect(mediaTypeOf(name)).toEqual({ contentType, cacheControl });
  });

  it.each(['axon.db', 'api-token', 'manifest.mpd.tmp', 'notes.txt', 'm3u8', 'recording.mp4', 'picture.jpg'])('does not serve %s', (name) => {
    expect(mediaTypeOf(name)).toBeUndefined();
  });
});
