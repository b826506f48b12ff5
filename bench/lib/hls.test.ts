import { describe, expect, it } from 'vitest';
import { listedMedia, variantUris } from './hls.js';

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

describe('listedMedia', () => {
  it('sums the EXTINF durations and reads the media sequence and discontinuities', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-MEDIA-SEQUENCE:3',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-DISCONTINUITY',
      '#EXTINF:2.000,',
      'a-3.ts',
      '#EXTINF:1.967,',
      'a-4.ts',
      '',
    ].join('\n');
    expect(listedMedia(playlist)).toEqual({ mediaSequence: 3, segments: 2, durationS: 3.967, discontinuities: 1 });
    expect(listedMedia('#EXTM3U\n')).toEqual({ mediaSequence: 0, segments: 0, durationS: 0, discontinuities: 0 });
  });
});
