import type { types } from 'mediasoup';
import type { AcceptedSection } from '../../webrtc-http/sdp-answer.js';
import { isRtx, SdpError, unusableForRtp, type MediaKind, type Offer, type OfferedCodec, type OfferedSection } from '../../webrtc-http/sdp-offer.js';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';

/** The sections of a WHIP offer Axon publishes from: the first usable video and the first usable audio. */
export interface PublishPlan {
  video: OfferedSection;
  audio?: OfferedSection;
}

/** Why a section cannot be published from, or undefined when it can. */
const unusable = (s: OfferedSection) =>
  unusableForRtp(s) ?? (s.direction === 'sendonly' || s.direction === 'sendrecv' ? undefined : `it is ${s.direction}: a WHIP publisher sends`);

/**
 * Picks the sections to publish from; the others are rejected in the answer. A publish needs video (the
 * ladder is made from it); audio is optional (the transcoder adds silence). Both must be bundled: there
 * is one transport.
 */
export function planPublish(offer: Offer): PublishPlan {
  const pick = (kind: MediaKind) => offer.sections.find((s) => s.kind === kind && unusable(s) === undefined);
  const video = pick('video');
  if (!video) {
    const reasons = offer.sections.filter((s) => s.kind === 'video').map((s) => `section ${s.mid}: ${unusable(s)}`);
    throw new SdpError(`no usable video section${reasons.length > 0 ? ` (${reasons.join('; ')})` : ': Axon needs video to publish'}`);
  }
  const audio = pick('audio');
  if (audio && !(offer.bundle.includes(video.mid) && offer.bundle.includes(audio.mid))) {
    throw new SdpError('the audio and video sections must be in one BUNDLE group (a=group:BUNDLE)');
  }
  return { video, ...(audio && { audio }) };
}

export interface PublishedSection {
  producer: types.Producer;
  answer: AcceptedSection;
}

/**
 * Maps an offered section onto a mediasoup producer: the first offered codec the router takes (in the
 * offerer's order of preference; mediasoup itself decides what matches, H.264 profiles included) with its
 * RTX, the header extensions the router knows, and how packets are told apart: the announced SSRC, the
 * simulcast RIDs, or the MID extension. Returns the producer and the answer's section for it.
 */
export async function produceSection(
  transport: types.WebRtcTransport,
  section: OfferedSection,
  routerCapabilities: types.RtpCapabilities,
): Promise<PublishedSection> {
  const kind = section.kind as MediaKind;
  // Only URIs the router lists pass, which makes them mediasoup's RtpHeaderExtensionUri.
  const extensions = section.extensions.filter((e): e is types.RtpHeaderExtensionParameters =>
    (routerCapabilities.headerExtensions ?? []).some((cap) => cap.kind === kind && cap.uri === e.uri && cap.direction !== 'sendonly'),
  );
  const hasMid = extensions.some((e) => e.uri === MID_URI);
  const encodings = sectionEncodings(section, extensions.some((e) => e.uri === RID_URI), hasMid);
  const tried: string[] = [];
  for (const codec of section.codecs.filter((c) => !isRtx(c))) {
    const rtx = section.codecs.find((c) => isRtx(c) && Number(c.parameters.apt) === codec.payloadType);
    const rtpParameters: types.RtpParameters = {
      ...(hasMid && { mid: section.mid }),
      codecs: [toRtpCodec(codec), ...(rtx ? [toRtpCodec(rtx)] : [])],
      headerExtensions: extensions,
      encodings: rtx ? encodings : encodings.map(({ rtx: _unused, ...e }) => e),
      rtcp: { ...(section.cname !== undefined && { cname: section.cname }), reducedSize: section.rtcpReducedSize },
    };
    let producer: types.Producer;
    try {
      producer = await transport.produce({ kind, rtpParameters });
    } catch (err) {
      // mediasoup names the codecs its router has no match for (wrong H.264 profile, RED, ...): try the next.
      if (err instanceof Error && err.name === 'UnsupportedError') {
        tried.push(codec.mimeType.slice(kind.length + 1));
        continue;
      }
      throw new SdpError(`section ${section.mid}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const supported = producer.consumableRtpParameters.codecs[0]?.rtcpFeedback ?? [];
    const answerCodecs = rtpParameters.codecs.map((c) => ({
      ...c,
      parameters: Object.fromEntries(Object.entries(c.parameters ?? {}).filter(([k]) => !k.startsWith('sprop-'))),
      rtcpFeedback: (c.rtcpFeedback ?? []).filter((fb) => supported.some((s) => s.type === fb.type && (s.parameter ?? '') === (fb.parameter ?? ''))),
    }));
    return {
      producer,
      answer: {
        accepted: true,
        mid: section.mid,
        kind,
        protocol: section.protocol,
        direction: 'recvonly',
        codecs: answerCodecs,
        extensions,
        rtcpReducedSize: section.rtcpReducedSize,
        ...(section.sendRids.length > 0 && { recvRids: section.sendRids }),
      },
    };
  }
  const offered = [...new Set(tried)].join(', ') || 'none';
  const takes = [...new Set(routerCapabilities.codecs?.filter((c) => c.kind === kind && !c.mimeType.endsWith('/rtx')).map((c) => c.mimeType.slice(kind.length + 1)))];
  throw new SdpError(`section ${section.mid}: no usable ${kind} codec (offered: ${offered}; Axon takes ${takes.join(', ')})`);
}

function sectionEncodings(section: OfferedSection, hasRid: boolean, hasMid: boolean): types.RtpEncodingParameters[] {
  if (section.sendRids.length > 0) {
    if (!hasRid) throw new SdpError(`section ${section.mid}: simulcast needs the ${RID_URI} header extension`);
    // mediasoup takes the encodings from the lowest layer to the highest, as the RIDs are listed.
    return section.sendRids.map((rid) => ({ rid }));
  }
  if (section.ssrc) return [{ ssrc: section.ssrc.ssrc, ...(section.ssrc.rtxSsrc !== undefined && { rtx: { ssrc: section.ssrc.rtxSsrc } }) }];
  if (hasMid) return [{}];
  throw new SdpError(`section ${section.mid}: the offer names no SSRC, simulcast RID or MID extension, so its packets cannot be told apart`);
}

function toRtpCodec(c: OfferedCodec): types.RtpCodecParameters {
  return {
    mimeType: c.mimeType,
    payloadType: c.payloadType,
    clockRate: c.clockRate,
    ...(c.channels !== undefined && { channels: c.channels }),
    parameters: c.parameters,
    rtcpFeedback: c.rtcpFeedback,
  };
}
