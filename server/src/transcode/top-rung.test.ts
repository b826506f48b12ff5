import { describe, expect, it } from 'vitest';
import { h264SpsFacts } from '../ingest/h264-sps.js';
import { NO_READING } from '../session/ingest-health.js';
import { buildTranscodeArgs } from './ffmpeg-args.js';
import { planLadder } from './ladder.js';
import { avc1Codec, judgeTopRung, type TopRungEvidence } from './top-rung.js';
import { evidence as evidenceOf } from './top-rung-monitor.js';
import { RETURN_AFTER_MS, TopRungPolicy } from './top-rung-policy.js';

// x264's Main 3.1 SPS for 1280x720 (from FFmpeg 5.1).
const MAIN_720P = h264SpsFacts(Buffer.from('674d401feca02802dd8088000003000800000301e078c18cb0', 'hex'))!;
const ladder = planLadder({ width: 1280, height: 720 }, [720, 360], 30);
const top = ladder.rungs[0]!;

const every = (gapS: number, untilS: number) => Array.from({ length: Math.floor(untilS / gapS) + 1 }, (_, i) => Math.round(i * gapS * 1000) / 1000);
const evidence = (o: Partial<TopRungEvidence> = {}): TopRungEvidence => ({
  protocol: 'rtmp',
  videoCodec: 'H.264',
  h264: MAIN_720P,
  keyframesAtS: every(2, 20),
  mediaTimeS: 21,
  frameRate: 30,
  reordered: false,
  layers: 1,
  ...o,
});

describe('judgeTopRung', () => {
  it('takes a Main 3.1 source of the top rung size with a keyframe every 2 s', () => {
    expect(judgeTopRung(evidence(), top)).toEqual({ qualifies: true, reason: "the source's Main 3.1 H.264 has a keyframe every 2 s" });
  });

  it('takes keyframes on every boundary whatever lies between them, within half a frame', () => {
    expect(judgeTopRung(evidence({ keyframesAtS: every(1, 20) }), top).qualifies).toBe(true);
    expect(judgeTopRung(evidence({ keyframesAtS: [0, 1.3, 2, 3.6, 4, 6, 8] , mediaTimeS: 9 }), top).qualifies).toBe(true);
    expect(judgeTopRung(evidence({ keyframesAtS: [0, 2.001, 3.999, 6.002], mediaTimeS: 7 }), top).qualifies).toBe(true);
    // The oldest keyframe kept may be a scene cut between two boundaries.
    expect(judgeTopRung(evidence({ keyframesAtS: [0.7, 2, 4, 6], mediaTimeS: 7 }), top).qualifies).toBe(true);
  });

  it('says why a source is encoded', () => {
    const why = (o: Partial<TopRungEvidence>) => judgeTopRung(evidence(o), top);
    expect(why({ keyframesAtS: every(5, 20) })).toEqual({
      qualifies: false,
      reason: 'keyframes every 5.0 s; passthrough needs one every 2 s (OBS: Output, Keyframe Interval 2 s)',
    });
    expect(why({ keyframesAtS: [0, 2.1, 4.2] }).reason).toMatch(/^keyframes every 2\.1 s/);
    expect(why({ keyframesAtS: [0, 2, 4], mediaTimeS: 6.5 }).reason).toMatch(/^keyframes every more than 2\.5 s/);
    expect(why({ reordered: true }).reason).toMatch(/B-frames/);
    expect(why({ frameRate: 25 }).reason).toBe("the source runs at 25.0 fps; passthrough needs the ladder's 30 fps");
    expect(why({ h264: { ...MAIN_720P, levelIdc: 51 } }).reason).toBe("the source's H.264 level 5.1 is above 4.2");
    expect(why({ h264: { ...MAIN_720P, profileIdc: 110 } }).reason).toMatch(/profile 110 is not one every player decodes/);
    expect(why({ h264: { ...MAIN_720P, width: 1282 } }).reason).toBe('the source is 1282x720, the top rung 1280x720');
    expect(why({ videoCodec: 'VP8', h264: undefined }).reason).toBe("the source's video is VP8; passthrough needs H.264");
    expect(why({ h264: undefined }).reason).toBe("the source's H.264 sequence header has not been read yet");
  });

  it('judges a WebRTC source by the same rules, and says what a browser does differently', () => {
    const webrtc = (o: Partial<TopRungEvidence>) => judgeTopRung(evidence({ protocol: 'webrtc', keyframesAtS: [0.3, 2.3, 4.3, 6.3], mediaTimeS: 7, ...o }), top);
    expect(webrtc({})).toEqual({ qualifies: true, reason: "the source's Main 3.1 H.264 has a keyframe every 2 s" });
    expect(judgeTopRung(evidence({ protocol: 'whip' }), top).qualifies).toBe(true);
    expect(webrtc({ layers: 3 }).reason).toBe('the browser sends 3 simulcast layers; passthrough takes a single stream');
    // A keyframe a frame late, on a 90 kHz clock.
    expect(webrtc({ keyframesAtS: [0.3, 2.3, 4.3333, 6.3333], mediaTimeS: 7 }).reason).toBe(
      "keyframes every 2.033 s; passthrough needs one every 2 s (the browser did not key on Axon's requests in time)",
    );
    expect(webrtc({ h264: { ...MAIN_720P, width: 640, height: 360 } }).reason).toBe(
      'the source is 640x360, the top rung 1280x720 (a browser lowers its picture size when its bandwidth or CPU falls short)',
    );
  });

  it('writes the codec as RFC 6381 from the SPS', () => {
    expect(avc1Codec(MAIN_720P)).toBe('avc1.4d401f');
  });
});

describe('TopRungPolicy', () => {
  const yes = { qualifies: true, reason: 'fine' };
  const no = { qualifies: false, reason: 'keyframes every 5.0 s' };

  it('leaves a copied top rung at once and returns only after the source qualified for a while, longer each time', () => {
    const policy = new TopRungPolicy('auto', yes, 0);
    expect(policy.state.mode).toBe('copy');
    expect(policy.observe(no, 1000)).toEqual({ mode: 'encode', reason: 'keyframes every 5.0 s' });
    expect(policy.observe(yes, 2000)).toBeUndefined();
    expect(policy.state.reason).toBe('fine again; copied again if that still holds in 30 s');
    expect(policy.observe(yes, 2000 + RETURN_AFTER_MS)?.mode).toBe('copy');
    policy.observe(no, 40_000);
    policy.observe(yes, 41_000);
    expect(policy.observe(yes, 41_000 + RETURN_AFTER_MS)).toBeUndefined();
    expect(policy.observe(yes, 41_000 + 2 * RETURN_AFTER_MS)?.mode).toBe('copy');
  });

  it('never copies when set to encode', () => {
    const policy = new TopRungPolicy('encode', yes, 0);
    expect(policy.state.mode).toBe('encode');
    expect(policy.observe(yes, 10 * RETURN_AFTER_MS)).toBeUndefined();
  });
});

describe('buildTranscodeArgs with a copied top rung', () => {
  const args = buildTranscodeArgs({ inputArgs: ['-i', 'in.flv'], hasAudio: true, ladder, x264Preset: 'veryfast', runDir: '/run', topRung: 'copy' });
  const after = (name: string) => args[args.indexOf(name) + 1];

  it('copies the source as stream 0 and encodes only the lower rungs, keyed on the same frames', () => {
    expect(args.slice(args.indexOf('-map'), args.indexOf('-map') + 4)).toEqual(['-map', '0:v:0', '-c:v:0', 'copy']);
    expect(after('-c:v:1')).toBe('libx264');
    expect(args).not.toContain('-c:v:2');
    expect(after('-filter_complex')).toMatch(/^\[0:v:0\]setsar=1,split=1\[s1\]/);
    expect(after('-force_key_frames')).toBe('expr:if(isnan(prev_forced_t),1,gte(t,prev_forced_t+1.9833))');
    expect(args).not.toContain('-profile:v');
    expect(after('-profile:v:1')).toBe('high');
  });

  it('dates a copied first packet without a timestamp 0, as the encoded rungs date that frame, and leaves every other as it is', () => {
    expect(after('-bsf:v:0')).toBe("setts=pts='if(eq(PTS,NOPTS),0,PTS)':dts='if(eq(PTS,NOPTS),0,DTS)'");
    expect(args.filter((a) => a.startsWith('-bsf'))).toEqual(['-bsf:v:0']);
  });
});

describe('the frame rate read from the meter', () => {
  const reading = (frames: number, mediaTimeS: number) => ({ ...NO_READING, frames, mediaTimeS });
  it('is left unjudged over a window too short to tell 30 fps from 32 (a publisher that just returned)', () => {
    // 31 frames over 0.947 s: 31.7 fps by the count, a 30 fps source read over one second.
    expect(evidenceOf('rtmp', reading(31, 0.947)).frameRate).toBeNull();
  });

  it('is left unjudged while a browser encoder is starting (fewer frames in its first seconds)', () => {
    // Chromium's fake 720p camera at 30 fps, measured: 28.9 fps over its first 4 s.
    expect(evidenceOf('webrtc', reading(117, 4)).frameRate).toBeNull();
  });

  it('is judged once the window spans four GOPs', () => {
    expect(evidenceOf('rtmp', reading(241, 8)).frameRate).toBe(30);
    expect(evidenceOf('rtmp', reading(201, 8)).frameRate).toBe(25);
  });
});
