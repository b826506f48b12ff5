import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planLadder } from '../transcode/ladder.js';
import {
  broadcastDir,
  initSegmentName,
  isBroadcastDirName,
  isManifestFile,
  livestreamDir,
  liveRunDir,
  mediaFileKind,
  mediaSegmentName,
  parseRunDirName,
  parseRunFile,
  renditionIds,
  renditionPlaylists,
  runDirName,
  RUN_FILE_TEMPLATES,
  thumbnailFile,
} from './media-layout.js';

const rendition = fc.nat({ max: 40 }).map(String);
const segmentNumber = fc.integer({ min: 1, max: 10_000_000 });
/** A name FFmpeg writes with a few characters inserted somewhere. */
const mutatedRunFile = fc
  .tuple(fc.oneof(fc.tuple(rendition, segmentNumber).map(([r, n]) => mediaSegmentName(r, n)), rendition.map(initSegmentName)), fc.nat(), fc.string({ minLength: 1, maxLength: 3 }))
  .map(([name, at, extra]) => name.slice(0, at % (name.length + 1)) + extra + name.slice(at % (name.length + 1)));

describe('media layout: run files', () => {
  it('writes the names FFmpeg writes', () => {
    expect(RUN_FILE_TEMPLATES).toEqual({ manifest: 'ffmpeg.mpd', init: 'init-$RepresentationID$.m4s', media: 'seg-$RepresentationID$-$Number%05d$.m4s' });
    expect(initSegmentName('2')).toBe('init-2.m4s');
    expect(mediaSegmentName('0', 7)).toBe('seg-0-00007.m4s');
    expect(mediaSegmentName('10', 123456)).toBe('seg-10-123456.m4s');
  });

  it('reads back every name it writes', () => {
    fc.assert(
      fc.property(rendition, segmentNumber, (r, n) => {
        expect(parseRunFile(mediaSegmentName(r, n))).toEqual({ kind: 'segment', rendition: r, number: n });
        expect(parseRunFile(initSegmentName(r))).toEqual({ kind: 'init', rendition: r });
      }),
    );
  });

  it.each([
    'ffmpeg.mpd',
    'seg-0-00001.m4s.tmp',
    'seg-0-1.m4s',
    'seg-0-000001.m4s',
    'seg-0-00000.m4s',
    'seg-00-00001.m4s',
    'seg--00001.m4s',
    'seg-a-00001.m4s',
    'init-.m4s',
    'init-01.m4s',
    'init-0.mp4',
    'seg-0-00001.m4sx',
    'xseg-0-00001.m4s',
    '../seg-0-00001.m4s',
  ])('refuses the foreign run file name %s', (name) => {
    expect(parseRunFile(name)).toBeUndefined();
  });

  it('refuses any name it would not write', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), mutatedRunFile), (name) => {
        const file = parseRunFile(name);
        if (!file) return;
        expect(file.kind === 'init' ? initSegmentName(file.rendition) : mediaSegmentName(file.rendition, file.number)).toBe(name);
      }),
    );
  });
});

describe('media layout: directories', () => {
  it('encodes and decodes run directories', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999 }), (run) => {
        expect(parseRunDirName(runDirName(run))).toBe(run);
      }),
    );
    expect(liveRunDir('babcdef123', 2)).toBe('babcdef123/r2');
    for (const name of ['r0', 'r01', 'r', 'r1x', 'R1', 'r1234567', 'run1']) expect(parseRunDirName(name)).toBeUndefined();
  });

  it('places livestreams and broadcasts, refusing ids that could name another directory', () => {
    const root = livestreamDir('/srv/media', 'abcDEF123_-x');
    expect(root).toBe('/srv/media/abcDEF123_-x');
    expect(broadcastDir(root, 'babcdef123')).toBe('/srv/media/abcDEF123_-x/babcdef123');
    expect(() => livestreamDir('/srv/media', '..')).toThrow(/livestream id/);
    expect(() => livestreamDir('/srv/media', 'a/b/c/d/e/f')).toThrow(/livestream id/);
    expect(() => broadcastDir(root, '../other')).toThrow(/broadcast id/);
    expect(isBroadcastDirName('r1')).toBe(false);
  });
});

describe('media layout: renditions and manifests', () => {
  const ladder = planLadder({ width: 1280, height: 720 }, [720, 360], 30);

  it('numbers the video rungs in ladder order, then the audio', () => {
    expect(renditionIds(ladder)).toEqual(['0', '1', '2']);
    expect(renditionPlaylists(ladder)).toEqual([
      { rendition: '0', name: '720p.m3u8' },
      { rendition: '1', name: '360p.m3u8' },
      { rendition: '2', name: 'audio.m3u8' },
    ]);
  });

  it.each([
    ['master.m3u8', 'playlist'],
    ['720p.m3u8', 'playlist'],
    ['manifest.mpd', 'dash-manifest'],
    ['init-0.m4s', 'init-segment'],
    ['seg-0-00001.m4s', 'media-segment'],
    ['thumbnail.jpg', 'thumbnail'],
    ['thumbnail.jpg.42.tmp', undefined],
    ['other.jpg', undefined],
    ['broadcast.json', undefined],
    ['manifest.mpd.123.tmp', undefined],
    ['recording.mp4', undefined],
  ])('tells the origin that %s is a %s', (name, kind) => {
    expect(mediaFileKind(name)).toBe(kind);
  });

  it('knows the files the packager writes at the top of a root', () => {
    expect(['master.m3u8', 'manifest.mpd', 'audio.m3u8.42.tmp'].every(isManifestFile)).toBe(true);
    expect(['broadcast.json', 'notes.txt'].some(isManifestFile)).toBe(false);
  });

  it('puts a thumbnail at the top of a livestream root and of a recording, where the next broadcast keeps it', () => {
    const root = livestreamDir('/data/media', 'abcdefgh1234');
    expect(thumbnailFile(root)).toBe('/data/media/abcdefgh1234/thumbnail.jpg');
    expect(thumbnailFile(broadcastDir(root, 'b0123456789'))).toBe('/data/media/abcdefgh1234/b0123456789/thumbnail.jpg');
    // Live leftovers are the manifest files: the last picture of a livestream survives its next go-live.
    expect(isManifestFile('thumbnail.jpg')).toBe(false);
    expect(isManifestFile('thumbnail.jpg.42.tmp')).toBe(true);
  });
});
