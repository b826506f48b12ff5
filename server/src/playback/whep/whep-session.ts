import type { types } from 'mediasoup';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { RealtimeMedia } from '../../sfu/realtime-media.js';
import { TransportWatchdog } from '../../sfu/transport-watchdog.js';
import { createOfferTransport } from '../../webrtc-http/offer-transport.js';
import { RtcHttpSession } from '../../webrtc-http/rtc-http-session.js';
import { answerOffer, type AcceptedSection } from '../../webrtc-http/sdp-answer.js';
import type { FragSection } from '../../webrtc-http/sdp-frag.js';
import type { Offer } from '../../webrtc-http/sdp-offer.js';
import { planPlayback, viewerCapabilities } from './play-offer.js';
import type { HeldRoute, ViewerRouters } from './viewer-routers.js';

export interface WhepDeps {
  routes: ViewerRouters;
  rtc: Config['rtc'];
  log: Logger;
}

/**
 * One real-time viewer (WHEP): a WebRtcTransport and a consumer per track on a viewer route of the
 * broadcast. With simulcast, mediasoup picks the layer for the viewer's bandwidth when the viewer's
 * offer lets it estimate one (transport-cc or REMB with ids matching the router's), the top one
 * otherwise. It ends on DELETE, when the viewer's connection fails or never comes, or when the
 * broadcast ends.
 */
export class WhepSession extends RtcHttpSession {
  private closed = false;
  private readonly watchdog: TransportWatchdog;

  private constructor(
    livestreamId: string,
    transport: types.WebRtcTransport,
    bundle: FragSection[],
    private readonly consumers: types.Consumer[],
    private readonly held: HeldRoute,
    offer: Offer,
    private readonly log: Logger,
  ) {
    super(livestreamId, transport, bundle, offer);
    this.watchdog = new TransportWatchdog(transport, 'viewer');
  }

  static async open(deps: WhepDeps, livestreamId: string, media: RealtimeMedia, offer: Offer): Promise<{ session: WhepSession; answer: string }> {
    const tracks = planPlayback(offer, media);
    const held = await deps.routes.acquire(media, tracks);
    let transport: types.WebRtcTransport | undefined;
    try {
      transport = await createOfferTransport(held.route.router, deps.rtc, offer);
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
      const { answer, bundle } = answerOffer(transport, offer, played);
      const session = new WhepSession(livestreamId, transport, bundle, consumers, held, offer, deps.log.child(livestreamId));
      session.watch();
      return { session, answer };
    } catch (err) {
      // The route may serve other viewers: this viewer's transport (and its consumers) must not outlive the failure.
      transport?.close();
      held.release();
      throw err;
    }
  }

  async end(reason: string): Promise<void> {
    this.close(reason);
  }

  private watch(): void {
    for (const consumer of this.consumers) {
      consumer.once('producerclose', () => this.close('the broadcast ended'));
      consumer.once('transportclose', () => this.close('the media router closed'));
    }
    void this.watchdog.lost.then((reason) => this.close(reason));
    this.watchdog.connected.then(
      () => {
        // A picture from the first frame on, rather than after the publisher's next periodic key frame.
        for (const consumer of this.consumers) if (consumer.kind === 'video') consumer.requestKeyFrame().catch(() => undefined);
      },
      () => undefined,
    );
  }

  private close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.stop();
    this.transport.close();
    this.held.release();
    this.log.debug('WHEP viewer left', { session: this.id, reason });
    this.finish();
  }
}
