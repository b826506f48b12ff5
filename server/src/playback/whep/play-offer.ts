import type { types } from 'mediasoup';
import type { RealtimeMedia } from '../../sfu/realtime-media.js';
import { isRtx, SdpError, unusableForRtp, type MediaKind, type Offer, type OfferedCodec, type OfferedSection } from '../../webrtc-http/sdp-offer.js';

/** One track a viewer receives: the broadcast's producer, in the offered section, with the offered codec. */
export interface PlayTrack {
  kind: MediaKind;
  section: OfferedSection;
  producer: types.Producer;
  /** The viewer's codec for it: its payload type is the one Axon must send with (RFC 3264 §5.1). */
  codec: OfferedCodec;
}

/** Why a section cannot be played into, or undefined when it can. */
const unusable = (s: OfferedSection) =>
  unusableForRtp(s) ?? (s.direction === 'recvonly' || s.direction === 'sendrecv' ? undefined : `it is ${s.direction}: a WHEP viewer receives`);

/**
 * Matches a WHEP offer against the broadcast: for each kind the broadcast has and the offer receives (its
 * first usable section of that kind), the first offered codec that can carry the producer's media, as
 * mediasoup's own matching decides (H.264 profile and packetization mode included). An offer that wants
 * a kind but cannot decode the broadcast's codec for it is refused, rather than played half.
 */
export function planPlayback(offer: Offer, media: RealtimeMedia): PlayTrack[] {
  const tracks: PlayTrack[] = [];
  for (const [kind, producer] of [['video', media.video], ['audio', media.audio]] as const) {
    const section = offer.sections.find((s) => s.kind === kind && unusable(s) === undefined);
    if (!section || !producer) continue;
    const codec = section.codecs.find((c) => !isRtx(c) && media.router.canConsume({ producerId: producer.id, rtpCapabilities: capabilitiesOf(kind, [c]) }));
    if (!codec) {
      const wanted = producer.rtpParameters.codecs[0]?.mimeType ?? kind;
      throw new SdpError(`section ${section.mid}: this broadcast's ${kind} is ${wanted}, which the offer does not list in a form it can decode`);
    }
    tracks.push({ kind, section, producer, codec });
  }
  if (tracks.length === 0) {
    const reasons = offer.sections.map((s) => `section ${s.mid} (${s.kind}): ${unusable(s) ?? 'the broadcast has no such track'}`);
    throw new SdpError(`nothing to play: ${reasons.join('; ')}`);
  }
  if (tracks.length > 1 && !tracks.every((t) => offer.bundle.includes(t.section.mid))) {
    throw new SdpError('the audio and video sections must be in one BUNDLE group (a=group:BUNDLE)');
  }
  if (new Set(tracks.map((t) => t.codec.payloadType)).size !== tracks.length) {
    throw new SdpError('audio and video use the same payload type in one BUNDLE group');
  }
  return tracks;
}

/**
 * The viewer's receive capabilities for one track: the chosen codec with its own payload type and
 * feedback, and the header extensions with its ids. mediasoup keeps only extensions whose id equals the
 * router's, which are then the only ones the answer names. No RTX: its payload type cannot be set.
 */
export function viewerCapabilities(track: PlayTrack): types.RtpCapabilities {
  return {
    ...capabilitiesOf(track.kind, [track.codec]),
    headerExtensions: track.section.extensions.map((e) => ({
      kind: track.kind,
      uri: e.uri as types.RtpHeaderExtensionUri,
      preferredId: e.id,
      preferredEncrypt: false,
      direction: 'sendrecv' as const,
    })),
  };
}

function capabilitiesOf(kind: MediaKind, codecs: OfferedCodec[]): types.RtpCapabilities {
  return {
    codecs: codecs.map((c) => ({
      kind,
      mimeType: c.mimeType as types.RtpCodecCapability['mimeType'],
      clockRate: c.clockRate,
      ...(c.channels !== undefined && { channels: c.channels }),
      parameters: c.parameters,
      rtcpFeedback: c.rtcpFeedback,
      preferredPayloadType: c.payloadType,
    })),
    headerExtensions: [],
  };
}
