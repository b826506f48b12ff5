import { describe, expect, it } from 'vitest';
import { buildRtpInputSdp } from './rtp-sdp.js';

const lines = (sdp: string) => sdp.split('\r\n');

describe('buildRtpInputSdp', () => {
  it('describes VP8 and stereo Opus on their ports, with CRLF line ends', () => {
    const sdp = buildRtpInputSdp([
      { kind: 'video', port: 50000, payloadType: 101, mimeType: 'video/VP8', clockRate: 90000 },
      {
        kind: 'audio',
        port: 50002,
        payloadType: 100,
        mimeType: 'audio/opus',
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
      },
    ]);
    expect(sdp.endsWith('\r\n')).toBe(true);
    expect(sdp).not.toMatch(/[^\r]\n/);
    expect(lines(sdp)).toEqual([
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=Axon ingest',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=video 50000 RTP/AVP 101',
      'a=rtpmap:101 VP8/90000',
      'a=recvonly',
      'm=audio 50002 RTP/AVP 100',
      'a=rtpmap:100 opus/48000/2',
      'a=fmtp:100 minptime=10;useinbandfec=1',
      'a=recvonly',
      '',
    ]);
  });

  it('carries H264 fmtp parameters', () => {
    const sdp = buildRtpInputSdp([
      {
        kind: 'video',
        port: 41000,
        payloadType: 107,
        mimeType: 'video/H264',
        clockRate: 90000,
        parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
      },
    ]);
    expect(lines(sdp)).toContain('a=rtpmap:107 H264/90000');
    expect(lines(sdp)).toContain('a=fmtp:107 packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1');
  });

  it('writes no channel count for mono audio', () => {
    const sdp = buildRtpInputSdp([
      { kind: 'audio', port: 41000, payloadType: 0, mimeType: 'audio/PCMU', clockRate: 8000, channels: 1 },
    ]);
    expect(lines(sdp)).toContain('a=rtpmap:0 PCMU/8000');
  });

  it('refuses values that would inject SDP lines', () => {
    const base = { kind: 'video' as const, port: 41000, payloadType: 96, mimeType: 'video/VP8', clockRate: 90000 };
    expect(() => buildRtpInputSdp([{ ...base, parameters: { x: '1\r\nc=IN IP4 10.0.0.1' } }])).toThrow(/unsafe fmtp value/);
    expect(() => buildRtpInputSdp([{ ...base, parameters: { x: 'a;b' } }])).toThrow(/unsafe fmtp value/);
    expect(() => buildRtpInputSdp([{ ...base, parameters: { 'a b': 1 } }])).toThrow(/unsafe fmtp name/);
    expect(() => buildRtpInputSdp([{ ...base, mimeType: 'video/VP8 x' }])).toThrow(/unsafe encoding name/);
  });

  it('refuses impossible numbers and mismatched kinds', () => {
    const base = { kind: 'video' as const, port: 41000, payloadType: 96, mimeType: 'video/VP8', clockRate: 90000 };
    expect(() => buildRtpInputSdp([{ ...base, port: 65535 }])).toThrow(/port/);
    expect(() => buildRtpInputSdp([{ ...base, payloadType: 128 }])).toThrow(/payload type/);
    expect(() => buildRtpInputSdp([{ ...base, mimeType: 'audio/opus' }])).toThrow(/does not match/);
    expect(() => buildRtpInputSdp([])).toThrow(/at least one/);
  });
});
