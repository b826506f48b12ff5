import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/fixtures/temp-dirs.js';
import { CmafError, type InitInfo, readFragmentTiming, readInitInfo } from './cmaf-boxes.js';

// Real CMAF output of FFmpeg's dash muxer: 5 s of 30 fps video and 48 kHz AAC cut into 2 s segments.
const tempDir = tempDirs();
let dir: string;
beforeAll(() => {
  dir = tempDir('axon-cmaf-');
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=30[out0];sine=sample_rate=48000[out1]', '-t', '5',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-c:a', 'aac',
    '-f', 'dash', '-seg_duration', '2', '-format_options', 'movflags=cmaf', '-adaptation_sets', 'id=0,streams=v id=1,streams=a',
    '-init_seg_name', 'init-$RepresentationID$.m4s', '-media_seg_name', 'seg-$RepresentationID$-$Number%05d$.m4s',
    path.join(dir, 'out.mpd'),
  ]);
});

const file = (name: string) => fs.readFileSync(path.join(dir, name));

describe('CMAF box reading', () => {
  it('reads video timing from real segments', () => {
    const init = readInitInfo(file('init-0.m4s'));
    expect(init.timescale).toBe(15360);
    expect(readFragmentTiming(file('seg-0-00001.m4s'), init)).toEqual({ decodeTime: 0, duration: 30720 });
    expect(readFragmentTiming(file('seg-0-00002.m4s'), init)).toEqual({ decodeTime: 30720, duration: 30720 });
    expect(readFragmentTiming(file('seg-0-00003.m4s'), init).duration).toBe(15360);
  });

  it('reads audio timing, contiguous across segments', () => {
    const init = readInitInfo(file('init-1.m4s'));
    expect(init.timescale).toBe(48000);
    const a = readFragmentTiming(file('seg-1-00001.m4s'), init);
    const b = readFragmentTiming(file('seg-1-00002.m4s'), init);
    expect(b.decodeTime).toBe(a.decodeTime + a.duration);
    expect(a.duration / 48000).toBeCloseTo(2, 1);
  });

  it('refuses truncated and foreign data', () => {
    const init = readInitInfo(file('init-0.m4s'));
    const seg = file('seg-0-00001.m4s');
    expect(() => readFragmentTiming(seg.subarray(0, 40), init)).toThrow(/truncated|tfdt/);
    expect(() => readFragmentTiming(Buffer.from('<html>not a segment</html>'), init)).toThrow();
    expect(() => readInitInfo(seg)).toThrow(/mdhd/);
  });
});

/** Either a result with sane numbers, or a CmafError: no other exception. */
function refusedOrSane<T extends object>(parse: () => T): T | 'refused' {
  let result: T;
  try {
    result = parse();
  } catch (err) {
    expect(err).toBeInstanceOf(CmafError);
    return 'refused';
  }
  for (const value of Object.values(result)) expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
  return result;
}

/** A box as bytes: a right or wrong 32-bit size, a type, a payload. */
const box = (type: string, payload: Uint8Array, size = 8 + payload.length) => {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size >>> 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
};
/**
 * Boxes shaped like the ones the parser reads (init segments, fragments) with random fields and lengths;
 * with `lies`, now and then a box whose size is not its length.
 */
function boxTrees(lies: boolean): fc.Arbitrary<Buffer> {
  const size = lies
    ? fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.constantFrom(0, 1, 7, 9, 12, 0xffffffff), weight: 1 })
    : fc.constant(undefined);
  const leaf = (type: string) => fc.tuple(fc.uint8Array({ maxLength: 28 }), size).map(([payload, s]) => box(type, payload, s));
  const node = (type: string, children: Array<fc.Arbitrary<Buffer>>) =>
    fc.tuple(fc.array(fc.oneof(...children, leaf('free')), { maxLength: 3 }), size).map(([c, s]) => box(type, Buffer.concat(c), s));
  const tree = fc.oneof(
    node('moov', [node('trak', [node('mdia', [leaf('mdhd')])]), node('mvex', [leaf('trex')])]),
    node('moof', [node('traf', [leaf('tfhd'), leaf('tfdt'), leaf('trun')])]),
    leaf('mdat'),
  );
  return fc.array(tree, { maxLength: 3 }).map((trees) => Buffer.concat(trees));
}
const inits: InitInfo[] = [
  { timescale: 15360, defaultSampleDuration: 0, defaultSampleFlags: 0 },
  { timescale: 48000, defaultSampleDuration: 1024, defaultSampleFlags: 0 },
];

describe('CMAF box reading of hostile bytes', () => {
  it('refuses random bytes cleanly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...inits), (bytes, init) => {
        refusedOrSane(() => readInitInfo(Buffer.from(bytes)));
        refusedOrSane(() => readFragmentTiming(Buffer.from(bytes), init));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses random box trees cleanly', () => {
    fc.assert(
      fc.property(boxTrees(true), fc.constantFrom(...inits), (bytes, init) => {
        refusedOrSane(() => readInitInfo(bytes));
        refusedOrSane(() => readFragmentTiming(bytes, init));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads every field inside its own box: what follows the boxes changes nothing', () => {
    fc.assert(
      fc.property(boxTrees(false), fc.uint8Array({ maxLength: 32 }), fc.constantFrom(...inits), (bytes, trailer, init) => {
        const followed = Buffer.concat([bytes, box('free', trailer)]);
        expect(refusedOrSane(() => readInitInfo(followed))).toEqual(refusedOrSane(() => readInitInfo(bytes)));
        expect(refusedOrSane(() => readFragmentTiming(followed, init))).toEqual(refusedOrSane(() => readFragmentTiming(bytes, init)));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses mutated real segments cleanly', () => {
    const originals = ['init-0.m4s', 'init-1.m4s', 'seg-0-00001.m4s', 'seg-1-00002.m4s'].map(file);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...originals.keys()), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.constantFrom(...inits), (which, mutations, init) => {
        let bytes = Buffer.from(originals[which]!);
        for (const m of mutations) {
          const at = m.at % (bytes.length + 1);
          if (m.kind === 'flip' && at < bytes.length) bytes[at] = m.value;
          else if (m.kind === 'cut') bytes = bytes.subarray(0, at);
          else if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
        }
        refusedOrSane(() => readInitInfo(bytes));
        refusedOrSane(() => readFragmentTiming(bytes, init));
      }),
      { numRuns: 3000 },
    );
  });
});
