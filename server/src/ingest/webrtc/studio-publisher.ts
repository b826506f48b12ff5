import type { types } from 'mediasoup';
import type {
  ConnectRequest,
  JoinRequest,
  JoinResponse,
  ProduceRequest,
  PublishState,
  StartRequest,
  TransportResponse,
} from '../../../../shared/signalling.js';
import type { IngestPlacement } from '../../cluster/ingest-placement.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import { publishAuthRefusal, type PublishAuthorizer } from '../../session/publish-auth.js';
import { PublishRefusedError } from '../../session/publish-refused.js';
import type { SessionRegistry } from '../../session/session-registry.js';
import type { LiveSession } from '../../session/stream-session.js';
import { createRtcTransport } from '../../sfu/rtc-transport.js';
import type { WorkerPool } from '../../sfu/worker-pool.js';
import { holdLivestream, type PublisherHold } from './publisher-hold.js';
import { connectWebRtcIngest, type WebRtcIngest, type WebRtcIngestOptions } from './webrtc-ingest.js';

/** A request out of order or that mediasoup refused; the message is meant for the publisher. */
export class SignallingError extends PublishRefusedError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

export interface StudioDeps {
  pool: WorkerPool;
  registry: SessionRegistry;
  auth: PublishAuthorizer;
  rtc: Config['rtc'];
  /**
   * How long a broadcast waits for a publisher whose connection was lost (its socket or its media): a new
   * studio publish with the key within it continues the broadcast. 0 or unset: it ends at once.
   */
  reconnectWindowS?: number;
  /** In a cluster: a node without room sends the studio to one that has some. */
  placement?: IngestPlacement;
  log: Logger;
}

/** A publisher that joined but has not started: everything it holds is released if it goes away. */
interface Negotiation {
  reservation: PublisherHold;
  router: types.Router;
  transport?: types.WebRtcTransport;
  connected: boolean;
  producers: Map<types.MediaKind, types.Producer>;
  timeout: NodeJS.Timeout;
  /** Asked to start: it waits for the publisher's connection and first key frame, and takes no more requests. */
  starting: boolean;
}

/** A joined publisher must start within this time, so an abandoned page cannot hold a livestream. */
export const NEGOTIATION_TIMEOUT_MS = 30_000;

/**
 * One studio socket's publish negotiation and then its broadcast. Requests arrive one at a time
 * (the signalling serialises them); each either completes or throws a PublishRefusedError.
 */
export class StudioPublisher {
  private negotiation: Negotiation | undefined;
  private session: LiveSession | undefined;
  /** What this publisher's media came in through, and the broadcast's ingest it feeds. */
  private publishing: { ingest: WebRtcIngest; transport: types.WebRtcTransport } | undefined;

  constructor(
    private readonly deps: StudioDeps,
    private readonly notify: (state: PublishState) => void,
    private readonly log: Logger,
  ) {}

  async join(req: JoinRequest): Promise<JoinResponse> {
    if (this.session) throw new SignallingError('already live');
    if (this.negotiation) throw new SignallingError('already joined');
    // The key is checked before anything is created for this publisher.
    const auth = await this.deps.auth.authorizePublish(req.livestreamId, req.streamKey);
    if (auth !== 'ok') throw publishAuthRefusal(auth);
    const reservation = await holdLivestream(this.deps.registry, req.livestreamId, this.deps.placement);
    let router: types.Router;
    try {
      router = await this.deps.pool.createRouter();
    } catch (err) {
      reservation.release();
      throw err;
    }
    const negotiation: Negotiation = {
      reservation,
      router,
      connected: false,
      starting: false,
      producers: new Map(),
      timeout: setTimeout(() => this.abandon(negotiation, 'the publisher did not start in time'), NEGOTIATION_TIMEOUT_MS),
    };
    router.observer.once('close', () => this.abandon(negotiation, 'the media server closed the connection'));
    this.negotiation = negotiation;
    this.log.info('publisher joined', { livestreamId: req.livestreamId, returning: reservation.resuming !== undefined });
    return { routerRtpCapabilities: router.rtpCapabilities as Record<string, unknown> };
  }

  async createTransport(): Promise<TransportResponse> {
    const n = this.negotiating();
    if (n.transport) throw new SignallingError('the transport already exists');
    const transport = await createRtcTransport(n.router, this.deps.rtc);
    n.transport = transport;
    return {
      id: transport.id,
      iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
      iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
      dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
    };
  }

  async connect(req: ConnectRequest): Promise<Record<string, never>> {
    const n = this.negotiating();
    if (!n.transport) throw new SignallingError('create the transport first');
    if (n.connected) throw new SignallingError('the transport is already connected');
    try {
      await n.transport.connect({ dtlsParameters: req.dtlsParameters as unknown as types.DtlsParameters });
    } catch (err) {
      throw new SignallingError(`invalid dtlsParameters: ${messageOf(err)}`);
    }
    n.connected = true;
    return {};
  }

  async produce(req: ProduceRequest): Promise<{ id: string }> {
    const n = this.negotiating();
    if (!n.transport) throw new SignallingError('create the transport first');
    if (n.producers.has(req.kind)) throw new SignallingError(`already producing ${req.kind}`);
    // mediasoup does not check that the codecs belong to the declared kind.
    const codecs: unknown = req.rtpParameters.codecs;
    const foreign = Array.isArray(codecs)
      ? codecs.find((c: { mimeType?: unknown }) => typeof c?.mimeType === 'string' && !c.mimeType.toLowerCase().startsWith(`${req.kind}/`))
      : undefined;
    if (foreign) throw new SignallingError(`invalid rtpParameters: ${String(foreign.mimeType).slice(0, 40)} does not match kind ${req.kind}`);
    let producer: types.Producer;
    try {
      producer = await n.transport.produce({
        kind: req.kind,
        rtpParameters: req.rtpParameters as unknown as types.RtpParameters,
      });
    } catch (err) {
      throw new SignallingError(`invalid rtpParameters: ${messageOf(err)}`);
    }
    n.producers.set(req.kind, producer);
    return { id: producer.id };
  }

  /** Acknowledged at once; the broadcast starts once the publisher's media is there (its size is read from it). */
  start(req: StartRequest): Record<string, never> {
    const n = this.negotiating();
    const video = n.producers.get('video');
    if (!n.transport || !video) throw new SignallingError('produce video first');
    clearTimeout(n.timeout);
    n.starting = true;
    const frameRate = req.video.frameRate;
    void this.goLive(n, {
      protocol: 'webrtc',
      router: n.router,
      transport: n.transport,
      video,
      audio: n.producers.get('audio'),
      ...(frameRate !== undefined && { frameRate }),
      rtcPorts: { min: this.deps.rtc.minPort, max: this.deps.rtc.maxPort },
      reconnectWindowS: this.deps.reconnectWindowS ?? 0,
      log: this.log,
    });
    return {};
  }

  private async goLive(n: Negotiation, options: WebRtcIngestOptions): Promise<void> {
    let ingest: WebRtcIngest;
    try {
      ingest = await connectWebRtcIngest(options, n.reservation.resuming);
    } catch (err) {
      this.abandon(n, messageOf(err));
      return;
    }
    if (this.negotiation !== n) {
      void ingest.close();
      return;
    }
    // The negotiation stays until the session exists: a publisher leaving meanwhile abandons it, which makes start() fail.
    let session: LiveSession;
    try {
      session = await n.reservation.start(ingest);
    } catch (err) {
      // Abandoned meanwhile: the publisher was told already.
      if (this.negotiation === n) {
        this.negotiation = undefined;
        // A refusal (kicked while connecting) is the publisher's to read; anything else is ours.
        if (!(err instanceof PublishRefusedError)) this.log.error('the broadcast could not start', { error: err });
        this.notify({ state: 'ended', reason: err instanceof PublishRefusedError ? err.message : 'the broadcast could not start' });
      }
      void ingest.close();
      return;
    }
    // From here the session owns the ingest (and so the router): it closes it when the broadcast ends.
    this.negotiation = undefined;
    this.session = session;
    this.publishing = { ingest, transport: options.transport };
    const onState = (state: LiveSession['state']) => {
      if (state !== 'ended') this.notify({ state });
    };
    session.on('state', onState);
    session.once('ended', (reason) => {
      session.off('state', onState);
      if (this.session === session) this.session = undefined;
      this.log.info('broadcast ended', { livestreamId: session.livestreamId, reason });
      this.notify({ state: 'ended', reason });
    });
    this.log.info('broadcast starting', { livestreamId: session.livestreamId, source: `${ingest.video.width}x${ingest.video.height}`, audio: options.audio !== undefined });
    // The session announced 'starting' as it began, before this listened.
    if (session.state !== 'ended') this.notify({ state: session.state });
  }

  async end(): Promise<Record<string, never>> {
    if (this.session) await this.session.stop('publisher ended the stream');
    else if (this.negotiation) this.abandon(this.negotiation, 'publisher ended the stream');
    else throw new SignallingError('not publishing');
    return {};
  }

  /**
   * The socket is gone: give back what the negotiation held, or leave the broadcast, at once when the
   * studio closed its socket (`cleanly`), else as a dropped publisher, whom the reconnect window waits for.
   */
  async close(cleanly: boolean): Promise<void> {
    this.publishing?.ingest.publisherLeft(this.publishing.transport, 'publisher disconnected', cleanly);
    if (this.negotiation) this.abandon(this.negotiation, 'publisher disconnected');
  }

  private negotiating(): Negotiation {
    if (this.session || this.negotiation?.starting) throw new SignallingError('already live');
    if (!this.negotiation) throw new SignallingError('join first');
    return this.negotiation;
  }

  private abandon(n: Negotiation, reason: string): void {
    if (this.negotiation !== n) return;
    this.negotiation = undefined;
    clearTimeout(n.timeout);
    n.reservation.release();
    n.router.close();
    this.log.info('publish negotiation abandoned', { livestreamId: n.reservation.livestreamId, reason });
    this.notify({ state: 'ended', reason });
  }
}

function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
