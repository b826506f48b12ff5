import { Device } from 'mediasoup-client';
import type { Producer, RtpCapabilities, RtpCodecCapability, Transport, TransportOptions } from 'mediasoup-client/types';
import { io, type Socket } from 'socket.io-client';
import { STUDIO_NAMESPACE } from '../../../shared/constants.js';
import {
  PublishEvents,
  type Ack,
  type JoinResponse,
  type PublishState,
  type StartRequest,
  type TransportResponse,
} from '../../../shared/signalling.js';
import { PublishError, type PublishRequest, type VideoCodecChoice } from './publisher.js';
import { PublisherBase } from './publisher-base.js';
import { connectionLost, refusedBy, serverUnreachable } from './publish-failure.js';
import { cannotSend, isCodec, keepResolution, videoEncodings } from './video-sender.js';

const ACK_TIMEOUT_MS = 10_000;
/** kbps: start near a usable rate instead of ramping up from WebRTC's 300 kbps default. */
const START_VIDEO_BITRATE_KBPS = 1000;

const timeoutMessage = 'The server did not answer in time. Try again.';

/** The studio's publisher: mediasoup-client over Socket.IO signalling (shared/signalling.ts). */
export class MediasoupPublisher extends PublisherBase {
  private socket: Socket | null = null;
  private transport: Transport | null = null;
  private readonly producers = new Map<'audio' | 'video', Producer>();
  /** Rejects when the connection goes, so every pending request fails at once instead of timing out. */
  private connectionGone: Promise<never> = new Promise(() => undefined);
  private rejectConnectionGone: (error: PublishError) => void = () => undefined;
  /**
   * A closing tab has no time to wait for the end request's answer. Leaving the namespace on purpose is one
   * packet, and the server reads it as "End stream"; a socket that merely drops waits out the reconnect window.
   */
  private readonly onPageHide = () => this.socket?.disconnect();

  protected async negotiate(request: PublishRequest): Promise<void> {
    this.connectionGone = new Promise<never>((_resolve, reject) => {
      this.rejectConnectionGone = reject;
    });
    this.connectionGone.catch(() => undefined);
    try {
      await this.connect();
      const joined = await this.join(request);
      const device = new Device();
      await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as RtpCapabilities });
      if (!device.canProduce('video')) throw new PublishError('unsupported', 'This browser cannot send video to this server.');
      const codec = pickCodec(device.rtpCapabilities, request.videoCodec);

      const transportInfo = await this.request<TransportResponse>(PublishEvents.transport, {});
      const transport = device.createSendTransport(transportInfo as unknown as TransportOptions);
      this.transport = transport;
      transport.on('connect', ({ dtlsParameters }, done, fail) => {
        this.request(PublishEvents.connect, { dtlsParameters }).then(() => done(), fail);
      });
      transport.on('produce', ({ kind, rtpParameters }, done, fail) => {
        this.request<{ id: string }>(PublishEvents.produce, { kind, rtpParameters }).then(({ id }) => done({ id }), fail);
      });
      transport.on('connectionstatechange', (state) => {
        if (state === 'failed') this.fail(connectionLost());
      });

      const video = await transport.produce({
        track: request.video,
        codec,
        encodings: videoEncodings(request),
        codecOptions: { videoGoogleStartBitrate: START_VIDEO_BITRATE_KBPS },
        stopTracks: false,
      });
      this.producers.set('video', video);
      await keepResolution(video.rtpSender);
      if (request.audio) this.producers.set('audio', await transport.produce({ track: request.audio, stopTracks: false }));

      await this.request(PublishEvents.start, startRequest(request.video));
    } catch (error) {
      throw fromMediasoup(error);
    }
  }

  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<void> {
    await this.producers.get(kind)?.replaceTrack({ track });
  }

  protected statsReports(): Promise<RTCStatsReport[]> {
    return Promise.all([...this.producers.values()].map((p) => p.getStats()));
  }

  protected async sayGoodbye(): Promise<void> {
    // The server also ends the broadcast when the socket goes; the request only says so first.
    if (this.socket?.connected) await this.request(PublishEvents.end, {}).catch(() => undefined);
  }

  /** A full node of a cluster names one with room in its refusal: the studio continues there, once. */
  private async join(request: PublishRequest): Promise<JoinResponse> {
    const payload = { livestreamId: request.livestreamId, streamKey: request.streamKey };
    const ack = await this.ask<JoinResponse>(PublishEvents.join, payload);
    const node = !ack.ok && ack.code === 'moved' ? nodeUrl(ack.nodeUrl) : undefined;
    if (node === undefined) return accepted(ack);
    this.socket?.disconnect();
    await this.connect(node);
    return this.request<JoinResponse>(PublishEvents.join, payload);
  }

  private connect(node?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      // No reconnection: a broadcast does not survive its signalling connection, so a new one starts over.
      // WebSocket only: another node is another origin, where Socket.IO's HTTP polling would need CORS; and
      // a second session polling over the page's HTTP/2 connection beside the chat's was answered 400 at once
      // (a studio going live again after its node died, e2e/cluster.spec.ts).
      const options = { reconnection: false, timeout: ACK_TIMEOUT_MS, transports: ['websocket'] };
      const socket = io(node === undefined ? STUDIO_NAMESPACE : `${node}${STUDIO_NAMESPACE}`, options);
      this.socket = socket;
      window.addEventListener('pagehide', this.onPageHide);
      socket.on(PublishEvents.state, (state: PublishState) => this.onServerState(state));
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error: Error & { type?: string; data?: { code?: unknown } }) => {
        // Transport failures mean no server; anything else is the server's own refusal.
        const unreachable = error.type === 'TransportError' || error.message === 'timeout';
        reject(unreachable ? serverUnreachable() : refusedBy({ error: error.message, code: error.data?.code }));
      });
      socket.on('disconnect', (reason) => {
        if (reason !== 'io client disconnect') this.fail(connectionLost());
      });
    });
  }

  private async request<T extends object = object>(event: string, payload: unknown): Promise<T> {
    return accepted(await this.ask<T>(event, payload));
  }

  private async ask<T extends object>(event: string, payload: unknown): Promise<Ack<T>> {
    const socket = this.socket;
    if (!socket) throw connectionLost();
    try {
      return await Promise.race([socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload) as Promise<Ack<T>>, this.connectionGone]);
    } catch (error) {
      throw error instanceof PublishError ? error : new PublishError('unreachable', timeoutMessage);
    }
  }

  private onServerState(message: PublishState): void {
    if (this.currentState === 'ended') return;
    if (message.state === 'ended') {
      // Before start() resolved, the reason is start()'s failure; after, it is news for the studio.
      if (!this.started) this.rejectConnectionGone(new PublishError('rejected', message.reason));
      this.endedByServer(message.reason);
      return;
    }
    this.setState(message.state);
  }

  /** Before start() resolved, the requests waiting on the server fail at once instead of timing out. */
  protected override fail(error: PublishError): void {
    if (!this.ending) this.rejectConnectionGone(error);
    super.fail(error);
  }

  protected release(): void {
    window.removeEventListener('pagehide', this.onPageHide);
    this.rejectConnectionGone(connectionLost());
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.transport?.close();
    this.transport = null;
    this.socket?.disconnect();
    this.socket = null;
  }
}

function pickCodec(capabilities: RtpCapabilities, choice: VideoCodecChoice): RtpCodecCapability {
  const codec = capabilities.codecs?.find((c) => c.kind === 'video' && isCodec(c.mimeType, choice));
  if (!codec) throw cannotSend(choice);
  return codec;
}

function startRequest(track: MediaStreamTrack): StartRequest {
  const { width, height, frameRate } = track.getSettings();
  if (!width || !height) throw new PublishError('unsupported', 'The camera does not report its capture size.');
  return { video: { width: Math.round(width), height: Math.round(height), ...(frameRate ? { frameRate } : {}) } };
}

/** mediasoup-client's UnsupportedError: it knows no way to do WebRTC in this browser. */
function fromMediasoup(error: unknown): unknown {
  return error instanceof Error && error.name === 'UnsupportedError' ? new PublishError('unsupported', 'This browser cannot publish over WebRTC.') : error;
}

function accepted<T extends object>(ack: Ack<T>): { ok: true } & T {
  if (!ack.ok) throw refusedBy(ack);
  return ack;
}

/** The node a refusal names, when it is an http(s) base URL. */
function nodeUrl(value: string | undefined): string | undefined {
  if (value === undefined || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
}
