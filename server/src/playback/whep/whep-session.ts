import { randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { RealtimeMedia } from '../../session/ingest.js';
import type { RtcHttpSession } from '../../webrtc-http/http-endpoint.js';
import { createRtcTransport, waitForDtls } from '../../webrtc-http/rtc-transport.js';
import { answerSections, buildAnswer, type AcceptedSection } from '../../webrtc-http/sdp-answer.js';
import type { FragSection } from '../../webrtc-http/sdp-frag.js';
import { SdpError, type Offer } from '../../webrtc-http/sdp-offer.js';
import { planPlayback, viewerCapabilities } from './play-offer.js';
import type { HeldRoute, ViewerRouters } from './viewer-routers.js';

export interface WhepDeps {
  routes: ViewerRouters;
  rtc: Config['rtc'];
  log: Logger;
}

/** A viewer that got its answer must complete ICE and DTLS within this time. */
export const CONNECT_TIMEOUT_MS = 15_000;
/** How long a viewer's ICE may stay disconnected (a network change it may recover from). */
export const ICE_DISCONNECTED_GRACE_MS = 5000;

/**
 * One real-time viewer (WHEP): a WebRtcTransport and a consumer per track on a viewer route of the
 * broadcast. With simulcast, mediasoup picks the layer for the viewer's bandwidth when the viewer's
 * offer lets it estimate one (transport-cc or REMB with ids matching the router's), the top one
 * otherwise. It ends on DELETE, when the viewer's connection fails or never comes, or when the
 * broadcast ends.
 */
export class WhepSession implements RtcHttpSession {
  readonly id = randomBytes(16).toString('base64url');
  remoteIce: types.IceParameters;
  private closed = false;
  private iceTimer: NodeJS.Timeout | undefined;
  private readonly endedListeners: Array<() => void> = [];

  private constructor(
    readonly livestreamId: string,
    readonly transport: types.WebRtcTransport,
    readonly bundle: FragSection[],
    private readonly consumers: types.Consumer[],
    private readonly held: HeldRoute,
    offer: Offer,
    private readonly log: Logger,
  ) {
    this.remoteIce = offer.ice;
  }

  static async open(deps: WhepDeps, livestreamId: string, media: RealtimeMedia, offer: Offer): Promise<{ session: WhepSession; answer: string }> {
    const tracks = planPlayback(offer, media);
    const held = await deps.routes.acquire(media, tracks);
    try {
      const transport = await createRtcTransport(held.route.router, deps.rtc);
      try {
        await transport.connect({ dtlsParameters: offer.dtls });
      } catch (err) {
        throw new SdpError(`unusable DTLS parameters: ${err instanceof Error ? err.message : String(err)}`);
      }
      const consumers: types.Consumer[] = [];
      const played: AcceptedSection[] = [];
      for (const track of tracks) {
        const consumer = await transport.consume({
          producerId: held.route.producers.get(track.kind)!.id,
          rtpCapabilities: viewerCapabilities(track),
        });
        consumers.push(consumer);
        const { rtpParameters } = consumer;
        played.push({
          accepted: true,
          mid: track.section.mid,
          kind: track.kind,
          protocol: track.section.protocol,
          direction: 'sendonly',
          codecs: rtpParameters.codecs,
          extensions: rtpParameters.headerExtensions ?? [],
          rtcpReducedSize: track.section.rtcpReducedSize,
          sent: {
            ssrc: rtpParameters.encodings![0]!.ssrc!,
            cname: rtpParameters.rtcp?.cname ?? 'axon',
            streamId: `axon-${livestreamId}`,
            trackId: consumer.id,
          },
        });
      }
      const sections = answerSections(offer, played);
      const answer = buildAnswer(
        {
          iceParameters: transport.iceParameters,
          iceCandidates: transport.iceCandidates,
          dtlsParameters: transport.dtlsParameters,
          setup: offer.dtls.role === 'server' ? 'active' : 'passive',
        },
        sections,
      );
      const bundle = played.map((s) => ({ mid: s.mid, kind: s.kind, protocol: s.protocol, payloadType: s.codecs[0]!.payloadType }));
      const session = new WhepSession(livestreamId, transport, bundle, consumers, held, offer, deps.log.child(livestreamId));
      session.watch();
      return { session, answer };
    } catch (err) {
      held.release();
      throw err;
    }
  }

  onEnded(listener: () => void): void {
    if (this.closed) queueMicrotask(listener);
    else this.endedListeners.push(listener);
  }

  async end(reason: string): Promise<void> {
    this.close(reason);
  }

  private watch(): void {
    const { transport } = this;
    for (const consumer of this.consumers) {
      consumer.once('producerclose', () => this.close('the broadcast ended'));
      consumer.once('transportclose', () => this.close('the media router closed'));
    }
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.close(`the viewer connection ${state} (DTLS)`);
    });
    transport.on('icestatechange', (state) => {
      clearTimeout(this.iceTimer);
      if (state === 'disconnected') this.iceTimer = setTimeout(() => this.close('the viewer connection was lost (ICE)'), ICE_DISCONNECTED_GRACE_MS);
    });
    waitForDtls(transport, CONNECT_TIMEOUT_MS).then(
      () => {
        // A picture from the first frame on, rather than after the publisher's next periodic key frame.
        for (const consumer of this.consumers) if (consumer.kind === 'video') consumer.requestKeyFrame().catch(() => undefined);
      },
      (err: Error) => this.close(err.message),
    );
  }

  private close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.iceTimer);
    this.transport.close();
    this.held.release();
    this.log.debug('WHEP viewer left', { session: this.id, reason });
    for (const listener of this.endedListeners.splice(0)) listener();
  }
}
