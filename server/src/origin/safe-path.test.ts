import { describe, expect, it } from 'vitest';
import { parseSafeRelativePath, pathOfUrl } from './safe-path.js';

describe('parseSafeRelativePath', () => {
  it('splits and decodes plain names', () => {
    expect(parseSafeRelativePath('master.m3u8')).toEqual(['master.m3u8']);
    expect(parseSafeRelativePath('b1/r1/seg-0-00001.m4s')).toEqual(['b1', 'r1', 'seg-0-00001.m4s']);
    expect(parseSafeRelativePath('b1/init%2D0.m4s')).toEqual(['b1', 'init-0.m4s']);
  });

  it.each([
    '',
    '../axon.db',
    '..%2f..%2faxon.db',
    '..%2F..%2Faxon.db',
    '%2e%2e/axon.db',
    '..\\..\\axon.db',
    '..%5c..%5caxon.db',
    'master.m3u8%00.m4s',
    '%2fetc%2fpasswd',
    '/etc/passwd',
    'b1//seg.m4s',
    'b1/./seg.m4s',
    '.hidden.m3u8',
    'c:%5cwindows',
    'bad%zz',
    'a/b/c/d/e/f/g/h/i.m4s',
    `${'a'.repeat(129)}.m4s`,
  ])('refuses %j', (p) => {
    expect(parseSafeRelativePath(p)).toBeUndefined();
  });
});

describe('pathOfUrl', () => {
  it('drops the query string and fragment', () => {
    expect(pathOfUrl('/live/x/master.m3u8?_HLS_msn=3')).toBe('/live/x/master.m3u8');
    expect(pathOfUrl('/a#b')).toBe('/a');
    expect(pathOfUrl('/a')).toBe('/a');
  });
});
