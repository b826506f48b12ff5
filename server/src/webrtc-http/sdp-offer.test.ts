import { describe, expect, it } from 'vitest';
import { chromeSimulcastOffer, chromeViewerOffer, firefoxOffer, obsOffer } from '../../test/fixtures/sdp-offers.js';
import { parseOffer, SdpError, unusableForRtp } from './sdp-offer.js';

const edit = (sdp: string, from: RegExp | string, to: string) => sdp.replace(from, to);

describe('parseOffer', () => {
  it('reads a Chromium simulcast offer: RIDs instead of a video SSRC, H.264 profiles as text, media-level ICE and DTLS', () => {
    const offer = parseOffer(chromeSimulcastOffer);
    expect(offer.bundle).toEqual(['0', '1']);
    expect(offer.ice).toEqual({ usernameFragment: 'V0uU', password: 'q7ryxP1HDks9IEcsFy/B2o2C' });
    expect(offer.dtls.role).toBe('client');
    expect(offer.dtls.fingerprints[0]).toMatchObject({ algorithm: 'sha-256', value: expect.stringMatching(/^A6:A0:5B/) });
    const [video, audio] = offer.sections;
    expect(video).toMatchObject({ mid: '0', kind: 'video', direction: 'sendonly', rtcpMux: true, rtcpReducedSize: true, sendRids: ['l', 'm', 'h'] });
    expect(video!.ssrc).toBeUndefined();
    expect(video!.codecs[0]).toMatchObject({ payloadType: 96, mimeType: 'video/VP8', clockRate: 90000 });
    expect(video!.codecs.find((c) => c.payloadType === 102)!.parameters).toEqual({
      'level-asymmetry-allowed': 1,
      'packetization-mode': 1,
      'profile-level-id': '42001f',
    });
    expect(video!.codecs.find((c) => c.payloadType === 97)!.parameters).toEqual({ apt: 96 });
    expect(video!.codecs[0]!.rtcpFeedback).toContainEqual({ type: 'nack', parameter: 'pli' });
    expect(video!.extensions).toContainEqual({ id: 9, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' });
    expect(audio).toMatchObject({ mid: '1', kind: 'audio', ssrc: { ssrc: 1122837586 }, cname: 'TjK+bhMoL+v9YugX' });
    expect(audio!.codecs[0]).toMatchObject({ mimeType: 'audio/opus', channels: 2, parameters: { minptime: 10, useinbandfec: 1 } });
  });

  it("reads OBS's session-level ICE, DTLS and setup, with audio first", () => {
    const offer = parseOffer(obsOffer);
    expect(offer.ice.usernameFragment).toBe('9Zxj');
    expect(offer.dtls).toMatchObject({ role: 'client', fingerprints: [{ algorithm: 'sha-256' }] });
    expect(offer.sections.map((s) => s.kind)).toEqual(['audio', 'video']);
    expect(offer.sections[1]).toMatchObject({ ssrc: { ssrc: 2370383223 }, extensions: [] });
    expect(offer.sections[1]!.codecs).toEqual([
      expect.objectContaining({ mimeType: 'video/H264', parameters: { 'profile-level-id': '42e01f', 'packetization-mode': 1, 'level-asymmetry-allowed': 1 } }),
    ]);
  });

  it("reads Firefox's RTX SSRC from its FID group and leaves out nothing it offers to send", () => {
    const video = parseOffer(firefoxOffer).sections[1]!;
    expect(video.ssrc).toEqual({ ssrc: 3154011395, rtxSsrc: 1842133502 });
    expect(video.codecs.map((c) => c.payloadType)).toEqual([120, 124, 121, 125, 126, 127, 97, 98]);
    expect(video.extensions.map((e) => e.id)).toEqual([3, 4, 5, 6, 7]);
  });

  it('reads a viewer offer as receive-only', () => {
    expect(parseOffer(chromeViewerOffer).sections.map((s) => s.direction)).toEqual(['recvonly', 'recvonly']);
  });

  it('reads a BUNDLE group of one numeric mid', () => {
    const videoOnly = obsOffer.slice(0, obsOffer.indexOf('m=audio')) + obsOffer.slice(obsOffer.indexOf('m=video'));
    expect(parseOffer(videoOnly.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 1')).bundle).toEqual(['1']);
  });

  it('takes a=setup:passive as the offerer being the DTLS server', () => {
    expect(parseOffer(edit(obsOffer, 'a=setup:actpass', 'a=setup:passive')).dtls.role).toBe('server');
  });

  it.each([
    ['text that is not SDP', 'hello', /must start with "v=0"/],
    ['an offer without media', 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n', /no media section/],
    ['a section without a=mid', edit(obsOffer, 'a=mid:1\r\n', ''), /section 1 has no a=mid/],
    ['two sections with one mid', edit(obsOffer, 'a=mid:1', 'a=mid:0'), /share a=mid:0/],
    ['no ICE credentials', edit(obsOffer, /a=ice-pwd:.*\r\n/, ''), /no ICE credentials/],
    ['a short ICE password', edit(obsOffer, /a=ice-pwd:.*\r\n/, 'a=ice-pwd:short\r\n'), /invalid a=ice-pwd/],
    ['no fingerprint', edit(obsOffer, /a=fingerprint:.*\r\n/, ''), /no DTLS fingerprint/],
    ['an unknown fingerprint hash', edit(obsOffer, 'sha-256', 'md5'), /unsupported fingerprint algorithm "md5"/],
    ['a malformed fingerprint', edit(obsOffer, /a=fingerprint:sha-256 .*\r\n/, 'a=fingerprint:sha-256 ZZ\r\n'), /invalid a=fingerprint/],
    ['a=setup:holdconn', edit(obsOffer, 'a=setup:actpass', 'a=setup:holdconn'), /unsupported a=setup:holdconn/],
    ['a payload type above 127', edit(obsOffer, 'a=rtpmap:111 opus', 'a=rtpmap:300 opus'), /invalid payload type 300/],
    ['a simulcast RID without its a=rid line', edit(chromeSimulcastOffer, 'a=rid:h send\r\n', ''), /rid h has no a=rid:h send line/],
    ['too many sections', obsOffer + 'm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n'.repeat(20), /at most 16 are read/],
  ])('refuses %s with a reason', (_name, sdp, reason) => {
    expect(() => parseOffer(sdp)).toThrow(SdpError);
    expect(() => parseOffer(sdp)).toThrow(reason);
  });
});

describe('unusableForRtp', () => {
  const [audio, video] = parseOffer(obsOffer).sections;

  it('takes an enabled, rtcp-muxed DTLS-SRTP section, whatever its direction', () => {
    expect(unusableForRtp(video!)).toBeUndefined();
    expect(unusableForRtp({ ...video!, direction: 'recvonly' })).toBeUndefined();
  });

  it.each([
    ['a disabled section', { ...audio!, disabled: true }, /disabled \(port 0\)/],
    ['plain RTP', { ...audio!, protocol: 'RTP/AVP' }, /RTP\/AVP is not RTP over DTLS-SRTP/],
    ['RTCP on its own port', { ...audio!, rtcpMux: false }, /lacks a=rtcp-mux/],
  ])('says why it refuses %s', (_name, section, reason) => {
    expect(unusableForRtp(section)).toMatch(reason);
  });
});
