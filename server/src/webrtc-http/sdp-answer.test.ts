import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { chromeSimulcastOffer, obsOffer } from '../../test/fixtures/sdp-offers.js';
import { answerOffer, answerSections, buildAnswer, type AcceptedSection, type AnswerTransport } from './sdp-answer.js';
import { buildRestartFrag, readFragCredentials } from './sdp-frag.js';
import { parseOffer, SdpError } from './sdp-offer.js';

const transport: AnswerTransport = {
  iceParameters: { usernameFragment: 'localufrag', password: 'localpassword0123456789', iceLite: true },
  iceCandidates: [
    { foundation: 'udpcandidate', priority: 1076302079, ip: '203.0.113.5', address: '203.0.113.5', protocol: 'udp', port: 40002, type: 'host' },
    { foundation: 'tcpcandidate', priority: 1076276479, ip: '203.0.113.5', address: '203.0.113.5', protocol: 'tcp', port: 40003, type: 'host', tcpType: 'passive' },
  ],
  dtlsParameters: {
    role: 'auto',
    fingerprints: [
      { algorithm: 'sha-1', value: 'AA:BB' },
      { algorithm: 'sha-256', value: '01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20' },
    ],
  },
  setup: 'passive',
};

const offer = parseOffer(chromeSimulcastOffer);
const video: AcceptedSection = {
  accepted: true,
  mid: '0',
  kind: 'video',
  protocol: 'UDP/TLS/RTP/SAVPF',
  direction: 'recvonly',
  codecs: [
    { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] },
    { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
  ],
  extensions: [{ id: 10, uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id' }],
  rtcpReducedSize: true,
  recvRids: ['l', 'm', 'h'],
};

describe('buildAnswer', () => {
  it('answers ICE-lite with every candidate, one fingerprint, rtcp-mux and the accepted sections bundled', () => {
    const answer = parse(buildAnswer(transport, answerSections(offer, [video])));
    expect(answer.icelite).toBe('ice-lite');
    expect(String(answer.groups?.[0]?.mids)).toBe('0');
    const [accepted, rejected] = answer.media;
    expect(accepted).toMatchObject({
      type: 'video',
      port: 40002,
      connection: { version: 4, ip: '203.0.113.5' },
      mid: 0,
      direction: 'recvonly',
      iceUfrag: 'localufrag',
      setup: 'passive',
      fingerprint: { type: 'sha-256', hash: transport.dtlsParameters.fingerprints[1]!.value },
      rtcpMux: 'rtcp-mux',
      rtcpRsize: 'rtcp-rsize',
      endOfCandidates: 'end-of-candidates',
      payloads: '96 97',
      simulcast: { dir1: 'recv', list1: 'l;m;h' },
    });
    expect(accepted!.candidates).toHaveLength(2);
    expect(accepted!.candidates![1]).toMatchObject({ transport: 'tcp', tcptype: 'passive', port: 40003 });
    expect(accepted!.fmtp).toEqual([{ payload: 97, config: 'apt=96' }]);
    expect(accepted!.rtcpFb).toEqual([{ payload: 96, type: 'nack', subtype: 'pli' }]);
    expect(accepted!.ext).toEqual([{ value: 10, uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id' }]);
    expect(accepted!.rids).toEqual([
      { id: 'l', direction: 'recv' },
      { id: 'm', direction: 'recv' },
      { id: 'h', direction: 'recv' },
    ]);
    // The audio section was not accepted: port 0, same mid, out of the BUNDLE group.
    expect(rejected).toMatchObject({ type: 'audio', port: 0, mid: 1, direction: 'inactive', protocol: 'UDP/TLS/RTP/SAVPF' });
  });

  it('announces what it sends by SSRC and msid, so the viewer can demultiplex without a MID extension', () => {
    const sent: AcceptedSection = {
      ...video,
      direction: 'sendonly',
      recvRids: undefined,
      sent: { ssrc: 1234, rtxSsrc: 1235, cname: 'axoncname', streamId: 'axon-ls', trackId: 'track-1' },
    };
    const media = parse(buildAnswer(transport, answerSections(offer, [sent]))).media[0]!;
    expect(media.msid).toBeDefined();
    expect(media.ssrcs).toContainEqual({ id: 1234, attribute: 'cname', value: 'axoncname' });
    expect(media.ssrcs).toContainEqual({ id: 1235, attribute: 'msid', value: 'axon-ls track-1' });
    expect(media.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: '1234 1235' }]);
    expect(media.simulcast).toBeUndefined();
  });
});

describe('answerOffer', () => {
  const obs = parseOffer(obsOffer);
  const opus = { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 };
  const h264 = { mimeType: 'video/H264', payloadType: 96, clockRate: 90000 };
  const received = (mid: string, kind: 'audio' | 'video', codec: AcceptedSection['codecs'][number]): AcceptedSection => ({
    accepted: true,
    mid,
    kind,
    protocol: 'UDP/TLS/RTP/SAVPF',
    direction: 'recvonly',
    codecs: [codec],
    extensions: [],
    rtcpReducedSize: false,
  });

  it("bundles in the answer's order, the offer's, whatever order the sections were accepted in", () => {
    const { answer, bundle } = answerOffer(transport, obs, [received('1', 'video', h264), received('0', 'audio', opus)]);
    expect(String(parse(answer).groups?.[0]?.mids)).toBe('0 1');
    expect(bundle).toEqual([
      { mid: '0', kind: 'audio', protocol: 'UDP/TLS/RTP/SAVPF', payloadType: 111 },
      { mid: '1', kind: 'video', protocol: 'UDP/TLS/RTP/SAVPF', payloadType: 96 },
    ]);
  });

  it('takes the DTLS role the offerer leaves (RFC 8842)', () => {
    const setup = (offer: typeof obs) => parse(answerOffer(transport, offer, [received('1', 'video', h264)]).answer).media[1]!.setup;
    expect(setup(obs)).toBe('passive');
    expect(setup(parseOffer(obsOffer.replace('a=setup:actpass', 'a=setup:passive')))).toBe('active');
  });
});

describe('trickle-ice-sdpfrag', () => {
  it('tells an ICE restart (new credentials) from trickled candidates', () => {
    expect(readFragCredentials('a=candidate:1 1 udp 2130706431 192.0.2.1 9 typ host\r\na=end-of-candidates\r\n')).toBeUndefined();
    expect(readFragCredentials('a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef012345\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n')).toEqual({
      usernameFragment: 'abcd',
      password: '0123456789abcdef012345',
    });
  });

  it.each([
    ['an empty body', '', /empty/],
    ['a line that is no attribute', 'v=0\r\n', /not an SDP fragment line/],
    ['a ufrag without a password', 'a=ice-ufrag:abcd\r\n', /needs both/],
  ])('refuses %s', (_name, frag, reason) => {
    expect(() => readFragCredentials(frag)).toThrow(SdpError);
    expect(() => readFragCredentials(frag)).toThrow(reason);
  });

  it('answers a restart with the new credentials and every candidate under the first bundled section', () => {
    const frag = buildRestartFrag(transport.iceParameters, transport.iceCandidates, [{ mid: '0', kind: 'video', protocol: 'UDP/TLS/RTP/SAVPF', payloadType: 96 }]);
    expect(frag.split('\r\n')).toEqual([
      'a=ice-lite',
      'a=ice-ufrag:localufrag',
      'a=ice-pwd:localpassword0123456789',
      'a=group:BUNDLE 0',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:0',
      'a=candidate:udpcandidate 1 udp 1076302079 203.0.113.5 40002 typ host generation 0 network-id 1',
      'a=candidate:tcpcandidate 1 tcp 1076276479 203.0.113.5 40003 typ host tcptype passive generation 0 network-id 2',
      'a=end-of-candidates',
      '',
    ]);
  });
});
