import fc from 'fast-check';
import amf from 'node-media-server/src/protocol/amf.js';
import nmsLogger from 'node-media-server/src/core/logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SOURCE_HEIGHT, MAX_SOURCE_WIDTH } from '../../../../shared/constants.js';
import {
  AAC_FRAME,
  AAC_HEADER,
  audioTag as audio,
  AVC_720P_HEADER,
  AVC_FRAME,
  AVC_KEYFRAME,
  flvTag as tag,
  videoTag as video,
} from '../../../test/fixtures/flv-tags.js';
import { FlvSourceProbe, type ProbeVerdict } from './flv-source-probe.js';

const AVC_1080P_HEADER = Buffer.from(
  '17000000000142c028ffe100196742c028da01e0089f970110000003001000000303c8f1832a01000468ce0fc8',
  'hex',
);
const AVC_2160P_HEADER = Buffer.from(
  '17000000000142c033ffe100196742c033da00f0010fb0110000030001000003003c8f1832a001000468ce0fc8',
  'hex',
);
const metadata = (fields: Record<string, unknown>) =>
  tag(18, amf.encodeAmf0Data({ cmd: '@setDataFrame', method: 'onMetaData', dataObj: fields }));

// node-media-server's AMF decoder reports what it cannot decode on the console.
const consoleLog = nmsLogger.log;
beforeAll(() => (nmsLogger.log = () => undefined));
afterAll(() => (nmsLogger.log = consoleLog));

function feed(...tags: Buffer[]) {
  const probe = new FlvSourceProbe();
  for (const t of tags) {
    const verdict = probe.push(t);
    if (verdict) return verdict;
  }
  return probe.conclude(5000);
}

describe('FlvSourceProbe', () => {
  it('takes the size from the SPS and the frame rate from metadata once both sequence headers are in', () => {
    const probe = new FlvSourceProbe();
    expect(probe.push(metadata({ width: 1920, height: 1080, framerate: 29.97, videocodecid: 7, audiocodecid: 10 }))).toBeUndefined();
    expect(probe.push(video(AVC_720P_HEADER))).toBeUndefined();
    expect(probe.push(audio(AAC_HEADER))).toEqual({
      ok: true,
      source: { video: { width: 1280, height: 720, frameRate: 29.97 }, hasAudio: true },
    });
  });

  it('reads the frame rate some encoders declare as videoframerate, and ignores implausible ones', () => {
    const declared = (fields: Record<string, unknown>) =>
      feed(metadata({ videocodecid: 7, audiocodecid: 10, ...fields }), video(AVC_720P_HEADER), audio(AAC_HEADER));
    expect(declared({ videoframerate: 25 })).toMatchObject({ source: { video: { frameRate: 25 } } });
    expect(declared({ framerate: 24, videoframerate: 50 })).toMatchObject({ source: { video: { frameRate: 24 } } });
    for (const framerate of [0, 0.5, -25, 1000, Number.NaN, '25', null]) {
      expect(declared({ framerate })).toEqual({ ok: true, source: { video: { width: 1280, height: 720 }, hasAudio: true } });
    }
  });

  it('reads the displayed size of 1080p (cropped from 1088 coded lines) and 4K sources', () => {
    expect(feed(video(AVC_1080P_HEADER), audio(AAC_HEADER))).toMatchObject({ source: { video: { width: 1920, height: 1080 } } });
    expect(feed(video(AVC_2160P_HEADER), audio(AAC_HEADER))).toMatchObject({ source: { video: { width: 3840, height: 2160 } } });
  });

  it('decides video-only at once when the metadata names no audio codec', () => {
    expect(new FlvSourceProbe().push(metadata({ width: 1280, height: 720, videocodecid: 7 }))).toBeUndefined();
    expect(feed(metadata({ videocodecid: 7 }), video(AVC_720P_HEADER))).toEqual({
      ok: true,
      source: { video: { width: 1280, height: 720 }, hasAudio: false },
    });
  });

  it('takes a publish without metadata as video-only after a second of video without audio', () => {
    const probe = new FlvSourceProbe();
    expect(probe.push(video(AVC_720P_HEADER))).toBeUndefined();
    expect(probe.push(video(AVC_KEYFRAME, 0))).toBeUndefined();
    expect(probe.push(video(AVC_FRAME, 967))).toBeUndefined();
    expect(probe.push(video(AVC_FRAME, 1000))).toMatchObject({ ok: true, source: { hasAudio: false } });
  });

  it('refuses codecs the transcoder does not take, naming them', () => {
    expect(feed(video(Buffer.from('1c00000000', 'hex')))).toEqual({
      ok: false,
      reason: 'video codec HEVC is not supported: Axon takes H.264 video with AAC audio or no audio',
    });
    const refusedFor = (text: string) => ({ ok: false, reason: expect.stringContaining(text) });
    expect(feed(video(Buffer.from('9068766331', 'hex')))).toMatchObject(refusedFor('video codec "hvc1"'));
    expect(feed(video(Buffer.from('1200', 'hex')))).toMatchObject(refusedFor('Sorenson H.263'));
    expect(feed(video(AVC_720P_HEADER), audio(Buffer.from('2f00', 'hex')))).toMatchObject(refusedFor('audio codec MP3'));
    expect(feed(video(AVC_720P_HEADER), audio(Buffer.from('9f4f707573', 'hex')))).toMatchObject(refusedFor('audio codec "Opus"'));
  });

  it('refuses audio-only publishes: at once from metadata, otherwise when the probe time is up', () => {
    const probe = new FlvSourceProbe();
    expect(probe.push(metadata({ audiocodecid: 10 }))).toMatchObject({ ok: false, reason: expect.stringContaining('audio-only') });
    expect(feed(audio(AAC_HEADER), audio(AAC_FRAME, 23))).toMatchObject({ ok: false, reason: expect.stringContaining('audio-only') });
    expect(feed()).toEqual({ ok: false, reason: 'no H.264 video within 5 s' });
  });

  it('falls back to the metadata size when the SPS cannot be read, and refuses pictures beyond 4K', () => {
    const noSps = Buffer.from('170000000001640028ffe0', 'hex');
    expect(feed(metadata({ width: 1280, height: 720, videocodecid: 7 }), video(noSps))).toMatchObject({
      ok: true,
      source: { video: { width: 1280, height: 720 } },
    });
    expect(feed(metadata({ width: 7680, height: 4320, videocodecid: 7 }), video(noSps))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('7680x4320'),
    });
    expect(feed(video(noSps))).toMatchObject({ ok: false, reason: 'the H.264 sequence header names no picture size' });
  });

  it('ignores truncated tags and undecodable metadata', () => {
    const probe = new FlvSourceProbe();
    expect(probe.push(Buffer.from([9, 0, 0]))).toBeUndefined();
    expect(probe.push(tag(9, Buffer.from([0x17])))).toBeUndefined();
    expect(probe.push(tag(18, Buffer.from('02ffff', 'hex')))).toBeUndefined();
    expect(probe.push(video(AVC_720P_HEADER))).toBeUndefined();
  });
});

/** Every verdict is a clean one: a size Axon can transcode, or a refusal that says why. */
function expectClean(verdict: ProbeVerdict): void {
  if (!verdict.ok) {
    expect(verdict.reason).toMatch(/\S/);
    return;
  }
  const { video, hasAudio } = verdict.source;
  expect(Number.isInteger(video.width) && video.width >= 16 && video.width <= MAX_SOURCE_WIDTH).toBe(true);
  expect(Number.isInteger(video.height) && video.height >= 16 && video.height <= MAX_SOURCE_HEIGHT).toBe(true);
  if (video.frameRate !== undefined) expect(video.frameRate > 0 && video.frameRate <= 240).toBe(true);
  expect(typeof hasAudio).toBe('boolean');
}

/** Feeds the tags as a publisher would, within a time bound: a parser that spins would block the server. */
function probeWithin(ms: number, tags: Buffer[]): void {
  const started = performance.now();
  expectClean(feed(...tags));
  expect(performance.now() - started).toBeLessThan(ms);
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((b) => Buffer.from(b));
/** An AVCDecoderConfigurationRecord in a sequence header tag, around one SPS (given with its NAL header byte). */
const avcHeader = (sps: Buffer) =>
  Buffer.concat([Buffer.from([0x17, 0, 0, 0, 0, 1, sps[1] ?? 0, 0, 0x1f, 0xff, 0xe1]), u16(sps.length), sps, Buffer.from('01000468ce0fc8', 'hex')]);
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);

describe('FlvSourceProbe on untrusted bytes', () => {
  it('gives a clean verdict for any bytes taken as tags', () => {
    fc.assert(fc.property(fc.array(bytes(300), { maxLength: 20 }), (tags) => probeWithin(500, tags)));
  });

  it('gives a clean verdict for well-framed tags of any type with any body', () => {
    const anyTag = fc
      .record({ type: fc.constantFrom(8, 9, 18, 0, 255), body: bytes(200), timeMs: fc.nat() })
      .map(({ type, body, timeMs }) => tag(type, body, timeMs));
    fc.assert(fc.property(fc.array(anyTag, { maxLength: 20 }), (tags) => probeWithin(500, tags)));
  });

  it('gives a clean verdict for a real publish with bytes changed, cut or added', () => {
    const publish = [
      metadata({ width: 1280, height: 720, framerate: 30, videocodecid: 7, audiocodecid: 10 }),
      video(AVC_720P_HEADER),
      audio(AAC_HEADER),
      video(AVC_KEYFRAME, 0),
      audio(AAC_FRAME, 23),
      video(AVC_FRAME, 1000),
    ];
    const mutation = fc.record({ tag: fc.nat(publish.length - 1), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
    const changes = fc.record({ flips: fc.array(mutation, { maxLength: 12 }), cut: fc.option(fc.nat()), extra: bytes(16) });
    fc.assert(
      fc.property(changes, ({ flips, cut, extra }) => {
        const tags = publish.map((t) => Buffer.from(t));
        for (const { tag: i, at, byte } of flips) tags[i]![at % tags[i]!.length] = byte;
        const last = tags.length - 1;
        if (cut !== null) tags[last] = tags[last]!.subarray(0, cut % tags[last]!.length);
        tags[last] = Buffer.concat([tags[last]!, extra]);
        probeWithin(500, tags);
      }),
    );
  });

  it('gives a clean verdict for an AVC sequence header around any SPS', () => {
    const sps = fc.tuple(fc.constantFrom(66, 77, 100, 244), bytes(64)).map(([profile, rest]) => Buffer.concat([Buffer.from([0x67, profile]), rest]));
    fc.assert(fc.property(sps, bytes(8), (s, tail) => probeWithin(500, [video(Buffer.concat([avcHeader(s), tail])), audio(AAC_HEADER)])));
  });
});
