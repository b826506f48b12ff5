import { describe, expect, it } from 'vitest';
import { chooseEngine, formatFromQuery, manifestUrl } from './engine-choice.js';

describe('engine choice', () => {
  const chrome = { mse: true, nativeHls: false, webrtc: true };
  const desktopSafari = { mse: true, nativeHls: true, webrtc: true };
  const iPhoneSafari = { mse: false, nativeHls: true, webrtc: true };
  const neither = { mse: false, nativeHls: false, webrtc: false };

  it('uses hls.js wherever MSE exists, native HLS only without it', () => {
    expect(chooseEngine(null, chrome)).toBe('hls');
    expect(chooseEngine(null, desktopSafari)).toBe('hls');
    expect(chooseEngine(null, iPhoneSafari)).toBe('native');
    expect(chooseEngine(null, neither)).toBeNull();
  });

  it('plays DASH on request, which needs MSE', () => {
    expect(chooseEngine('dash', chrome)).toBe('dash');
    expect(chooseEngine('dash', iPhoneSafari)).toBeNull();
  });

  it('?format=hls keeps hls.js even where native HLS exists', () => {
    expect(chooseEngine('hls', desktopSafari)).toBe('hls');
  });

  it('plays real time (WHEP) on request, and HLS where WebRTC is missing', () => {
    expect(chooseEngine('webrtc', chrome)).toBe('whep');
    expect(chooseEngine('webrtc', iPhoneSafari)).toBe('whep');
    expect(chooseEngine('webrtc', { ...chrome, webrtc: false })).toBe('hls');
    expect(chooseEngine('webrtc', { ...iPhoneSafari, webrtc: false })).toBe('native');
  });

  it('reads the format from the query string', () => {
    expect(formatFromQuery('?format=webrtc')).toBe('webrtc');
    expect(formatFromQuery('?format=dash')).toBe('dash');
    expect(formatFromQuery('?format=hls')).toBe('hls');
    expect(formatFromQuery('?format=rtsp')).toBeNull();
    expect(formatFromQuery('')).toBeNull();
  });

  it('points each engine at its manifest', () => {
    expect(manifestUrl('abc_DEF-12', 'hls')).toBe('/live/abc_DEF-12/master.m3u8');
    expect(manifestUrl('abc_DEF-12', 'native')).toBe('/live/abc_DEF-12/master.m3u8');
    expect(manifestUrl('abc_DEF-12', 'dash')).toBe('/live/abc_DEF-12/manifest.mpd');
  });
});
