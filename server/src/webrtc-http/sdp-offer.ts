import { parse, parseParams, parseSimulcastStreamList, type MediaAttributes, type MediaDescription, type SharedAttributes } from 'sdp-transform';
import type { types } from 'mediasoup';

/** An offer Axon cannot take; the message tells the client why (400). */
export class SdpError extends Error {}

export type MediaKind = 'audio' | 'video';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface OfferedCodec {
  payloadType: number;
  /** e.g. 'video/VP8', 'audio/opus', 'video/rtx' */
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters: Record<string, string | number>;
  rtcpFeedback: types.RtcpFeedback[];
}

export interface HeaderExtension {
  id: number;
  uri: string;
}

/** One m= section of an offer, as far as Axon reads it. */
export interface OfferedSection {
  mid: string;
  /** 'audio', 'video', or anything else an offer may carry ('application' for data channels). */
  kind: string;
  protocol: string;
  /** The m= line's format list, echoed when the answer rejects the section. */
  formats: string;
  /** The offerer disabled it itself (port 0). */
  disabled: boolean;
  direction: Direction;
  rtcpMux: boolean;
  rtcpReducedSize: boolean;
  /** Media codecs and RTX in the offerer's order of preference. */
  codecs: OfferedCodec[];
  extensions: HeaderExtension[];
  /** The SSRC the offerer will send from, with its RTX SSRC (a=ssrc-group:FID), when it announces them. */
  ssrc?: { ssrc: number; rtxSsrc?: number };
  cname?: string;
  /** Simulcast RIDs the offerer sends, in the order of its a=simulcast line (first alternative of each stream). */
  sendRids: string[];
}

export interface Offer {
  sections: OfferedSection[];
  /** MIDs of the offer's first BUNDLE group, in order. */
  bundle: string[];
  ice: types.IceParameters;
  /** The offerer's DTLS role and certificate fingerprint, as mediasoup's transport.connect() takes them. */
  dtls: types.DtlsParameters;
}

/** More than this is not a WHIP/WHEP offer (one audio and one video section, maybe a data channel). */
export const MAX_SECTIONS = 16;
const MAX_CODECS = 64;
const MAX_RIDS = 8;
const FINGERPRINT_ALGORITHMS: ReadonlySet<string> = new Set(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);
const FINGERPRINT_VALUE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15,63}$/;
const ICE_CHAR = /^[A-Za-z0-9+/]+$/;
const RID = /^[A-Za-z0-9_-]{1,16}$/;
const DIRECTIONS: ReadonlySet<string> = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** The SDP protocol of RTP media over DTLS-SRTP with feedback (UDP/TLS/RTP/SAVPF, TCP/DTLS/RTP/SAVPF, ...). */
const isSecureRtp = (protocol: string) => /\bRTP\/SAVPF$/.test(protocol);

/**
 * Why a section cannot carry media over the session's one transport (enabled, RTP over DTLS-SRTP, RTCP
 * multiplexed), or undefined when it can; which direction it must have is the endpoint's to say.
 */
export function unusableForRtp(s: OfferedSection): string | undefined {
  if (s.disabled) return 'it is disabled (port 0)';
  if (!isSecureRtp(s.protocol)) return `its protocol ${s.protocol} is not RTP over DTLS-SRTP`;
  if (!s.rtcpMux) return 'it lacks a=rtcp-mux';
  return undefined;
}

/** RTX (RFC 4588): an offered codec that resends another one's packets rather than media of its own. */
export const isRtx = (c: OfferedCodec) => c.mimeType.toLowerCase().endsWith('/rtx');

/**
 * Reads an SDP offer (RFC 8866/3264, JSEP RFC 9429) into what the WHIP and WHEP endpoints need: each
 * section's codecs, header extensions, SSRCs and simulcast RIDs, the BUNDLE group, the ICE credentials
 * and the DTLS fingerprint. What a session cannot work without is refused with an SdpError; whether a
 * section is usable (kind, direction, codecs) is left to the endpoint, which rejects it in its answer.
 */
export function parseOffer(text: string): Offer {
  if (!/^v=0\r?$/m.test(text.split('\n', 1)[0] ?? '')) throw new SdpError('not an SDP offer: it must start with "v=0"');
  const sdp = parse(text);
  const media = sdp.media ?? [];
  if (media.length === 0) throw new SdpError('the offer has no media section');
  if (media.length > MAX_SECTIONS) throw new SdpError(`the offer has ${media.length} media sections; at most ${MAX_SECTIONS} are read`);

  const sections = media.map((m, i) => readSection(m, i, sdp));
  const mids = new Set<string>();
  for (const s of sections) {
    if (mids.has(s.mid)) throw new SdpError(`two media sections share a=mid:${s.mid}`);
    mids.add(s.mid);
  }
  // sdp-transform turns numeric values into numbers: a group of one mid "0" arrives as 0.
  const group = sdp.groups?.find((g) => String(g.type).toUpperCase() === 'BUNDLE');
  const bundle = group ? String(group.mids).split(' ').filter(Boolean) : [];

  const first = media.find((m) => m.port !== 0) ?? media[0]!;
  return { sections, bundle, ice: readIce(first, sdp), dtls: readDtls(first, sdp) };
}

function readSection(m: MediaDescription, index: number, session: SharedAttributes): OfferedSection {
  if (m.mid === undefined || String(m.mid) === '') throw new SdpError(`media section ${index} has no a=mid (BUNDLE needs one on every section)`);
  const mid = String(m.mid);
  const direction = String(m.direction ?? session.direction ?? 'sendrecv');
  if (!DIRECTIONS.has(direction)) throw new SdpError(`media section ${mid}: unknown direction ${direction}`);
  const section: OfferedSection = {
    mid,
    kind: String(m.type),
    protocol: String(m.protocol),
    formats: String(m.payloads ?? ''),
    disabled: m.port === 0,
    direction: direction as Direction,
    rtcpMux: m.rtcpMux !== undefined,
    rtcpReducedSize: m.rtcpRsize !== undefined,
    codecs: [],
    extensions: [],
    sendRids: [],
  };
  if (section.kind !== 'audio' && section.kind !== 'video') return section;
  section.codecs = readCodecs(m, section.kind, mid);
  section.extensions = readExtensions(m, session, mid);
  Object.assign(section, readSsrc(m));
  section.sendRids = readSendRids(m, mid);
  return section;
}

function readCodecs(m: MediaAttributes, kind: MediaKind, mid: string): OfferedCodec[] {
  if (m.rtp.length > MAX_CODECS) throw new SdpError(`media section ${mid} lists ${m.rtp.length} codecs; at most ${MAX_CODECS} are read`);
  const codecs: OfferedCodec[] = [];
  for (const rtp of m.rtp) {
    const payloadType = Number(rtp.payload);
    if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127) throw new SdpError(`media section ${mid}: invalid payload type ${rtp.payload}`);
    const clockRate = Number(rtp.rate);
    if (!Number.isInteger(clockRate) || clockRate <= 0) throw new SdpError(`media section ${mid}: payload type ${payloadType} has no clock rate`);
    const fmtp = m.fmtp.find((f) => Number(f.payload) === payloadType);
    const codec: OfferedCodec = {
      payloadType,
      mimeType: `${kind}/${rtp.codec}`,
      clockRate,
      parameters: fmtp ? readParameters(fmtp.config) : {},
      rtcpFeedback: (m.rtcpFb ?? [])
        .filter((fb) => fb.payload === '*' || Number(fb.payload) === payloadType)
        .map((fb) => ({ type: String(fb.type), parameter: fb.subtype === undefined ? '' : String(fb.subtype) })),
    };
    if (kind === 'audio') codec.channels = rtp.encoding === undefined ? 1 : Number(rtp.encoding);
    codecs.push(codec);
  }
  return codecs;
}

/** fmtp parameters, with profile-level-id kept as text: "640032" would otherwise turn into a number. */
function readParameters(config: string): Record<string, string | number> {
  const parameters: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(parseParams(config))) {
    if (value !== undefined) parameters[key] = value;
  }
  const raw = /(?:^|;)\s*profile-level-id=([^;\s]+)/.exec(config)?.[1];
  if (raw !== undefined) parameters['profile-level-id'] = raw;
  return parameters;
}

function readExtensions(m: SharedAttributes, session: SharedAttributes, mid: string): HeaderExtension[] {
  const extensions: HeaderExtension[] = [];
  for (const ext of m.ext ?? session.ext ?? []) {
    const id = Number(ext.value);
    if (!Number.isInteger(id) || id < 1 || id > 255) throw new SdpError(`media section ${mid}: invalid extmap id ${ext.value}`);
    // Encrypted header extensions (RFC 6904) and disabled ones are not offered for use.
    if (ext['encrypt-uri'] !== undefined || ext.direction === 'inactive') continue;
    extensions.push({ id, uri: String(ext.uri) });
  }
  return extensions;
}

function readSsrc(m: MediaAttributes): Pick<OfferedSection, 'ssrc' | 'cname'> {
  const fid = m.ssrcGroups?.find((g) => g.semantics.toUpperCase() === 'FID');
  const [media, rtx] = fid ? fid.ssrcs.split(' ').map(Number) : [m.ssrcs?.[0]?.id === undefined ? undefined : Number(m.ssrcs[0].id)];
  if (media === undefined || !isSsrc(media)) return {};
  const cname = m.ssrcs?.find((s) => Number(s.id) === media && s.attribute === 'cname')?.value;
  return {
    ssrc: { ssrc: media, ...(rtx !== undefined && isSsrc(rtx) && { rtxSsrc: rtx }) },
    ...(cname !== undefined && { cname: String(cname) }),
  };
}

const isSsrc = (n: number) => Number.isInteger(n) && n > 0 && n <= 0xffffffff;

/** RIDs from a=simulcast:send (RFC 8853); each must be declared by an a=rid:<id> send line. */
function readSendRids(m: MediaAttributes, mid: string): string[] {
  const sim = m.simulcast;
  if (!sim) return [];
  const list = sim.dir1 === 'send' ? sim.list1 : sim.dir2 === 'send' ? sim.list2 : undefined;
  if (list === undefined) return [];
  const declared = new Set((m.rids ?? []).filter((r) => r.direction === 'send').map((r) => String(r.id)));
  const rids = parseSimulcastStreamList(String(list)).map((alternatives) => String(alternatives[0]?.scid ?? ''));
  if (rids.length > MAX_RIDS) throw new SdpError(`media section ${mid}: at most ${MAX_RIDS} simulcast streams`);
  for (const rid of rids) {
    if (!RID.test(rid)) throw new SdpError(`media section ${mid}: invalid simulcast rid ${JSON.stringify(rid.slice(0, 20))}`);
    if (!declared.has(rid)) throw new SdpError(`media section ${mid}: simulcast rid ${rid} has no a=rid:${rid} send line`);
  }
  if (new Set(rids).size !== rids.length) throw new SdpError(`media section ${mid}: a simulcast rid is listed twice`);
  return rids;
}

function readIce(m: SharedAttributes, session: SharedAttributes): types.IceParameters {
  const usernameFragment = m.iceUfrag ?? session.iceUfrag;
  const password = m.icePwd ?? session.icePwd;
  if (usernameFragment === undefined || password === undefined) throw new SdpError('the offer has no ICE credentials (a=ice-ufrag and a=ice-pwd)');
  const ufrag = String(usernameFragment);
  const pwd = String(password);
  if (ufrag.length < 4 || ufrag.length > 256 || !ICE_CHAR.test(ufrag)) throw new SdpError('invalid a=ice-ufrag');
  if (pwd.length < 22 || pwd.length > 256 || !ICE_CHAR.test(pwd)) throw new SdpError('invalid a=ice-pwd');
  return { usernameFragment: ufrag, password: pwd };
}

function readDtls(m: SharedAttributes, session: SharedAttributes): types.DtlsParameters {
  const fingerprint = m.fingerprint ?? session.fingerprint;
  if (!fingerprint) throw new SdpError('the offer has no DTLS fingerprint (a=fingerprint)');
  const algorithm = String(fingerprint.type).toLowerCase();
  if (!FINGERPRINT_ALGORITHMS.has(algorithm)) throw new SdpError(`unsupported fingerprint algorithm ${JSON.stringify(algorithm.slice(0, 20))}`);
  if (!FINGERPRINT_VALUE.test(String(fingerprint.hash))) throw new SdpError('invalid a=fingerprint value');
  // RFC 8842: the answerer takes the role the offerer leaves; an offer without a=setup counts as actpass.
  const setup = String(m.setup ?? session.setup ?? 'actpass');
  let role: types.DtlsRole;
  if (setup === 'actpass' || setup === 'active') role = 'client';
  else if (setup === 'passive') role = 'server';
  else throw new SdpError(`unsupported a=setup:${setup.slice(0, 20)}`);
  return { role, fingerprints: [{ algorithm: algorithm as types.FingerprintAlgorithm, value: String(fingerprint.hash).toUpperCase() }] };
}
