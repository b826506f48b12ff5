import { randomInt } from 'node:crypto';
import { write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import type { types } from 'mediasoup';
import type { FragSection } from './sdp-frag.js';
import type { HeaderExtension, MediaKind, Offer, OfferedSection } from './sdp-offer.js';

/** The local side of the answer: mediasoup's WebRtcTransport (ICE-lite) and the DTLS role it takes. */
export interface AnswerTransport {
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
  /** RFC 8842: passive when the offerer is actpass or active, active when it is passive. */
  setup: 'active' | 'passive';
}

/** What Axon sends in a section (WHEP): one stream, announced so the receiver can demultiplex by SSRC. */
export interface SentStream {
  ssrc: number;
  rtxSsrc?: number;
  cname: string;
  /** a=msid: audio and video of one broadcast share the stream id, so the receiver keeps them in sync. */
  streamId: string;
  trackId: string;
}

export interface AcceptedSection {
  accepted: true;
  mid: string;
  kind: MediaKind;
  protocol: string;
  direction: 'recvonly' | 'sendonly';
  /** The negotiated codec (and its RTX), payload types as offered. */
  codecs: types.RtpCodecParameters[];
  extensions: HeaderExtension[];
  rtcpReducedSize: boolean;
  /** WHIP: the simulcast RIDs received, in the offer's order. */
  recvRids?: string[];
  /** WHEP: the stream sent. */
  sent?: SentStream;
}

export interface RejectedSection {
  accepted: false;
  offered: OfferedSection;
}

export type AnswerSection = AcceptedSection | RejectedSection;

/** The answer's sections in the offer's order: the accepted ones, every other one rejected. */
export function answerSections(offer: Offer, accepted: AcceptedSection[]): AnswerSection[] {
  return offer.sections.map((offered) => accepted.find((a) => a.mid === offered.mid) ?? { accepted: false, offered });
}

/**
 * The answer of mediasoup's transport to an offer, taking the DTLS role the offerer leaves (RFC 8842), and
 * the bundled sections in the answer's BUNDLE order, which an ICE restart's answer names.
 */
export function answerOffer(
  transport: Omit<AnswerTransport, 'setup'>,
  offer: Offer,
  accepted: AcceptedSection[],
): { answer: string; bundle: FragSection[] } {
  const sections = answerSections(offer, accepted);
  const { iceParameters, iceCandidates, dtlsParameters } = transport;
  const answer = buildAnswer({ iceParameters, iceCandidates, dtlsParameters, setup: offer.dtls.role === 'server' ? 'active' : 'passive' }, sections);
  const bundle = sections.flatMap((s) => (s.accepted ? [{ mid: s.mid, kind: s.kind, protocol: s.protocol, payloadType: s.codecs[0]!.payloadType }] : []));
  return { answer, bundle };
}

/**
 * Builds the SDP answer: ICE-lite with every candidate and a=end-of-candidates (nothing to trickle), one
 * DTLS fingerprint, rtcp-mux, and every accepted section in one BUNDLE group. Sections appear in the
 * offer's order; a rejected one keeps its m= line with port 0 and stays out of the group (RFC 8843).
 */
export function buildAnswer(transport: AnswerTransport, sections: AnswerSection[]): string {
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
  if (!fingerprint) throw new Error('the transport has no sha-256 fingerprint');
  const defaultCandidate = transport.iceCandidates.find((c) => c.protocol === 'udp') ?? transport.iceCandidates[0];
  if (!defaultCandidate) throw new Error('the transport has no ICE candidate');
  const accepted = sections.filter((s): s is AcceptedSection => s.accepted);

  const description: SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId: randomInt(2 ** 47), sessionVersion: 1, netType: 'IN', ipVer: 4, address: '0.0.0.0' },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    ...(accepted.length > 0 && { groups: [{ type: 'BUNDLE', mids: accepted.map((s) => s.mid).join(' ') }] }),
    msidSemantic: { semantic: 'WMS', token: '*' },
    media: sections.map((s) => (s.accepted ? acceptedMedia(s, transport, fingerprint.value, defaultCandidate) : rejectedMedia(s.offered))),
  };
  return write(description);
}

function acceptedMedia(s: AcceptedSection, t: AnswerTransport, fingerprint: string, candidate: types.IceCandidate): MediaDescription {
  const media: MediaDescription = {
    type: s.kind,
    port: candidate.port,
    protocol: s.protocol,
    payloads: s.codecs.map((c) => c.payloadType).join(' '),
    connection: { version: candidate.address.includes(':') ? 6 : 4, ip: candidate.address },
    mid: s.mid,
    direction: s.direction,
    iceUfrag: t.iceParameters.usernameFragment,
    icePwd: t.iceParameters.password,
    fingerprint: { type: 'sha-256', hash: fingerprint },
    setup: t.setup,
    candidates: t.iceCandidates.map((c, i) => ({
      foundation: c.foundation,
      component: 1,
      transport: c.protocol,
      priority: c.priority,
      ip: c.address,
      port: c.port,
      type: c.type,
      ...(c.tcpType && { tcptype: c.tcpType }),
      generation: 0,
      'network-id': i + 1,
    })),
    endOfCandidates: 'end-of-candidates',
    rtcpMux: 'rtcp-mux',
    ...(s.rtcpReducedSize && { rtcpRsize: 'rtcp-rsize' as const }),
    rtp: s.codecs.map((c) => ({
      payload: c.payloadType,
      codec: c.mimeType.slice(c.mimeType.indexOf('/') + 1),
      rate: c.clockRate,
      ...(c.channels !== undefined && c.channels > 1 && { encoding: c.channels }),
    })),
    fmtp: s.codecs
      .filter((c) => c.parameters && Object.keys(c.parameters).length > 0)
      .map((c) => ({ payload: c.payloadType, config: Object.entries(c.parameters!).map(([k, v]) => `${k}=${v}`).join(';') })),
    rtcpFb: s.codecs.flatMap((c) =>
      (c.rtcpFeedback ?? []).map((fb) => ({ payload: c.payloadType, type: fb.type, ...(fb.parameter && { subtype: fb.parameter }) })),
    ),
    ext: s.extensions.map((e) => ({ value: e.id, uri: e.uri })),
  };
  if (s.recvRids && s.recvRids.length > 0) {
    media.rids = s.recvRids.map((id) => ({ id, direction: 'recv' }));
    media.simulcast = { dir1: 'recv', list1: s.recvRids.join(';') };
  }
  if (s.sent) {
    const { ssrc, rtxSsrc, cname, streamId, trackId } = s.sent;
    media.msid = [{ id: streamId, appdata: trackId }];
    const ssrcs = rtxSsrc === undefined ? [ssrc] : [ssrc, rtxSsrc];
    media.ssrcs = ssrcs.flatMap((id) => [
      { id, attribute: 'cname', value: cname },
      { id, attribute: 'msid', value: `${streamId} ${trackId}` },
    ]);
    if (rtxSsrc !== undefined) media.ssrcGroups = [{ semantics: 'FID', ssrcs: `${ssrc} ${rtxSsrc}` }];
  }
  return media;
}

function rejectedMedia(offered: OfferedSection): MediaDescription {
  return {
    type: offered.kind,
    port: 0,
    protocol: offered.protocol,
    payloads: offered.formats,
    connection: { version: 4, ip: '0.0.0.0' },
    mid: offered.mid,
    // A direction means nothing to a data channel section.
    ...((offered.kind === 'audio' || offered.kind === 'video') && { direction: 'inactive' as const }),
    rtp: [],
    fmtp: [],
  };
}
