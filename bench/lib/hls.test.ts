import { describe, expect, it } from 'vitest';
import { variantUris } from './hls.js';

describe('variantUris', () => {
  it('lists the URI line after each EXT-X-STREAM-INF, not the audio rendition', () => {
    const master = [
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",URI="audio.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1467480,RESOLUTION=640x480',
      '480p.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=323400,RESOLUTION=192x144',
      '144p.m3u8',
      '',
    ].join('\n');
    expect(variantUris(master)).toEqual(['480p.m3u8', '144p.m3u8']);
    expect(variantUris('#EXTM3U\n')).toEqual([]);
  });
});
