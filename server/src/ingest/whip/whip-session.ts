import type { types } from 'mediasoup';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { SessionRegistry } from '../../session/session-registry.js';
import type { LiveSession } from '../../session/stream-session.js';
import type { WorkerPool } from '../../sfu/worker-pool.js';
import { tokenCheck } from '../../http/bearer.js';
import { createOfferTransport } from '../../webrtc-http/offer-transport.js';
import { RtcHttpSession } from '../../webrtc-http/rtc-http-session.js';
import { answerOffer } from '../../webrtc-http/sdp-answer.js';
import type { FragSection } from '../../webrtc-http/sdp-frag.js';
import type { Offer } from '../../webrtc-http/sdp-offer.js';
import { holdLivestream, type PublisherHold } from '../webrtc/publisher-hold.js';
import { connectWebRtcIngest } from '../webrtc/webrtc-ingest.js';
import { planPublish, produceSection, type PublishedSection } from './publish-offer.js';

export interface WhipDeps {
  pool: WorkerPool;
  registry: SessionRegistry;
  rtc: Config['rtc'];
  /** How long a broadcast waits for a publisher whose connection was lost (a new POST with its key continues it). */
  reconnectWindowS: number;
  log: Logger;
}

/**
 * One WHIP publish (RFC 9725): from the accepted offer, through ICE/DTLS and the probe of the picture
 * size, to the broadcast it feeds, which is the same StreamSession a studio publish starts, or the
 * broadcast its publisher dropped out of within the reconnect window. The livestream is held from the
 * offer on; whatever fails before the broadcast starts gives it back. The session resource lasts as long
 * as its connection: once that is lost, the broadcast is the next publish's to continue.
 */
export class WhipSession extends RtcHttpSession {
  /** DELETE and PATCH must come from whoever published: the same token, even if the key is rotated meanwhile. */
  readonly acceptsToken: (token: string | undefined) => boolean;
  private broadcast: LiveSession | undefined;
  private negotiating = true;

  private constructor(
    livestreamId: string,
    transport: types.WebRtcTransport,
    bundle: FragSection[],
    private readonly router: types.Router,
    private readonly reservation: PublisherHold,
    private readonly published: { video: PublishedSection; audio?: PublishedSection },
    offer: Offer,
    token: string,
    private readonly deps: WhipDeps,
    private readonly log: Logger,
  ) {
    super(livestreamId, transport, bundle, offer);
    this.acceptsToken = tokenCheck(token);
  }

  /**
   * Takes the livestream (AlreadyLiveError when it has a publisher), maps the offer onto a transport and
   * producers, and returns the answer. Media flows once the client has it; the broadcast starts by itself.
   */
  static async open(deps: WhipDeps, livestreamId: string, token: string, offer: Offer): Promise<{ session: WhipSession; answer: string }> {
    const plan = planPublish(offer);
    const reservation = await holdLivestream(deps.registry, livestreamId);
    let router: types.Router | undefined;
    try {
      router = await deps.pool.createRouter();
      const transport = await createOfferTransport(router, deps.rtc, offer);
      const video = await produceSection(transport, plan.video, router.rtpCapabilities);
      const audio = plan.audio && (await produceSection(transport, plan.audio, router.rtpCapabilities));
      const published = { video, ...(audio && { audio }) };
      const { answer, bundle } = answerOffer(transport, offer, audio ? [video.answer, audio.answer] : [video.answer]);
      const log = deps.log.child(livestreamId);
      const session = new WhipSession(livestreamId, transport, bundle, router, reservation, published, offer, token, deps, log);
      void session.startWhenConnected();
      log.info('WHIP publish negotiated', {
        session: session.id,
        video: video.producer.rtpParameters.codecs[0]?.mimeType,
        simulcast: video.producer.rtpParameters.encodings?.length ?? 1,
        audio: audio?.producer.rtpParameters.codecs[0]?.mimeType ?? null,
      });
      return { session, answer };
    } catch (err) {
      router?.close();
      reservation.release();
      throw err;
    }
  }

  /** Ends the broadcast, or gives the livestream back if it has not started. */
  async end(reason: string): Promise<void> {
    if (this.broadcast) await this.broadcast.stop(reason);
    else this.abandon(reason);
  }

  private async startWhenConnected(): Promise<void> {
    const { video, audio } = this.published;
    const startedAt = Date.now();
    try {
      const ingest = await connectWebRtcIngest(
        {
          protocol: 'whip',
          router: this.router,
          transport: this.transport,
          video: video.producer,
          ...(audio && { audio: audio.producer }),
          rtcPorts: { min: this.deps.rtc.minPort, max: this.deps.rtc.maxPort },
          reconnectWindowS: this.deps.reconnectWindowS,
          log: this.log,
        },
        this.reservation.resuming,
      );
      if (!this.negotiating) return;
      const resumed = this.reservation.resuming !== undefined;
      this.log.info('WHIP publisher connected', { session: this.id, source: `${ingest.video.width}x${ingest.video.height}`, resumed, afterMs: Date.now() - startedAt });
      // Rejects when the livestream was deleted or the publish abandoned meanwhile: the catch below releases everything.
      const broadcast = await this.reservation.start(ingest);
      this.negotiating = false;
      this.broadcast = broadcast;
      broadcast.once('ended', (reason) => {
        this.log.info('WHIP broadcast ended', { session: this.id, reason });
        this.finish();
      });
      // Lost (the ingest closes the router of a dropped publisher): a DELETE no longer reaches the broadcast.
      this.transport.observer.once('close', () => this.finish());
    } catch (err) {
      this.abandon(err instanceof Error ? err.message : String(err));
    }
  }

  private abandon(reason: string): void {
    if (!this.negotiating) return;
    this.negotiating = false;
    this.router.close();
    this.reservation.release();
    this.log.info('WHIP publish abandoned before it started', { session: this.id, reason });
    this.finish();
  }
}
