import type { types } from 'mediasoup';
import { Ending } from '../../ending.js';
import type { Logger } from '../../log.js';
import { NO_READING, type IngestMeter } from '../../session/ingest-health.js';
import type { IngestSource, MediaInput, SimulcastSource, SourceVideo } from '../../session/ingest.js';
import type { H264Facts } from '../h264-sps.js';
import type { RealtimeMedia } from '../../sfu/realtime-media.js';
import { TransportWatchdog } from '../../sfu/transport-watchdog.js';
import { KeyframeClock } from './keyframe-clock.js';
import { openRtpInput } from './rtp-input.js';
import { RtpMeter } from './rtp-meter.js';
import type { PortRange } from './udp-ports.js';
import { LayerBitrates, layerSsrcs, missingLayer, probeLayers } from './simulcast-layers.js';
import { probeVideo } from './video-size-probe.js';

/** Once the publisher has connected, its first video key frame, which sizes the ladder, must arrive within this time. */
export const PROBE_TIMEOUT_MS = 10_000;
/**
 * How long go-live waits for every H.264 simulcast layer's first keyframe (the size probe waits as long for
 * the top layer); a layer that has not come by then leaves the broadcast encoded.
 */
const LAYERS_PROBE_TIMEOUT_MS = 6000;

export interface WebRtcIngestOptions {
  protocol: 'webrtc' | 'whip';
  /** The publisher's own router: the ingest closes it when the broadcast ends or the publisher drops. */
  router: types.Router;
  /** The publisher's transport, watched for ICE/DTLS failure. */
  transport: types.WebRtcTransport;
  video: types.Producer;
  audio?: types.Producer;
  /** The frame rate the publisher reports, if it does: a key frame does not carry one. */
  frameRate?: number;
  /** mediasoup's port range, which FFmpeg's RTP ports stay out of. */
  rtcPorts: PortRange;
  /** How long the broadcast waits for a publisher whose connection was lost; 0 ends it at once. */
  reconnectWindowS: number;
  log: Logger;
}

/** One publisher connection into the SFU. A publisher that drops and returns comes back on a new one. */
interface Connection {
  readonly router: types.Router;
  readonly transport: types.WebRtcTransport;
  readonly media: RealtimeMedia;
  readonly watchdog: TransportWatchdog;
  workerDied: boolean;
  /** Ends the FFmpeg inputs reading from this connection when it is dropped. */
  readonly dropped: Ending<void>;
  /** The health figures of this connection's producers. */
  readonly meter: RtpMeter;
  /** H.264: keyframes on the segment boundaries, so the top rung may be copied. */
  readonly clock: KeyframeClock | undefined;
  /** Its H.264 simulcast layers' SPS, top first, when it sends them. */
  readonly layers: H264Facts[] | undefined;
  readonly layerRates: LayerBitrates | undefined;
}

/**
 * Waits for the publisher to connect and reads the picture size from its first key frame (never from what
 * the publisher claims). Returns a new ingest, or `resuming` (a broadcast whose publisher dropped, which
 * this connection continues). Rejects when the connection is lost or does not come, no key frame arrives
 * in time, or the resumed broadcast is over; the caller then closes the router, which stops the probe too.
 */
export async function connectWebRtcIngest(o: WebRtcIngestOptions, resuming?: WebRtcIngest): Promise<WebRtcIngest> {
  const watchdog = new TransportWatchdog(o.transport, 'publisher');
  try {
    await watchdog.connected;
    const lost = watchdog.lost.then((reason) => Promise.reject(new Error(reason)));
    const [{ video: size, h264, packets }, layers] = await Promise.race([
      Promise.all([probeVideo(o.router, o.video, PROBE_TIMEOUT_MS), probeLayers(o.router, o.video, LAYERS_PROBE_TIMEOUT_MS)]),
      lost,
    ]);
    const media = { router: o.router, video: o.video, ...(o.audio && { audio: o.audio }) };
    const meter = new RtpMeter({ video: o.video, audio: o.audio, size, h264, packets });
    // A simulcast source's top rung is not copied (judgeTopRung), but when its layers are the rungs they are
    // keyed together on the clock; other simulcast sources need none.
    const single = (o.video.rtpParameters.encodings?.length ?? 1) === 1;
    const clock = h264 && (single || layers) ? new KeyframeClock({ consumers: [], timeline: meter.onFrame }) : undefined;
    const layerRates = layers && new LayerBitrates(o.video);
    const connection = { router: o.router, transport: o.transport, media, watchdog, workerDied: false, dropped: new Ending<void>(), meter, clock, layers, layerRates };
    if (!resuming) return new WebRtcIngest(o, { ...size, ...(o.frameRate !== undefined && { frameRate: o.frameRate }) }, connection);
    resuming.resume(connection);
    return resuming;
  } catch (err) {
    watchdog.stop();
    throw err;
  }
}

/**
 * A broadcast published over WebRTC into a mediasoup router, handed to FFmpeg as plain RTP. Like an RTMP
 * broadcast it outlives a lost connection by the reconnect window: the running FFmpeg is stopped, the
 * transcoder's next openInput() waits here, and the publisher's next publish with its key (WHIP POST or
 * studio) continues it as a new run.
 */
export class WebRtcIngest implements IngestSource {
  readonly protocol: 'webrtc' | 'whip';
  readonly ended: Promise<string>;
  /** Reads the connection of the moment: a returning publisher comes back with new producers. */
  readonly meter: IngestMeter = { read: () => this.connection?.meter.read() ?? NO_READING };
  /** The first connection's H.264 simulcast layers, which the broadcast's rungs are made of when it has them. */
  readonly simulcast: SimulcastSource | undefined;
  private readonly ending = new Ending();
  private connection: Connection | undefined;
  /** A returning publisher holds the broadcast while it connects. */
  private claimed = false;
  private closed = false;
  private closeCheck: NodeJS.Immediate | undefined;
  private windowTimer: NodeJS.Timeout | undefined;
  private returned = new Ending<void>();
  private readonly inputs = new Set<MediaInput>();

  constructor(
    private readonly o: WebRtcIngestOptions,
    readonly video: SourceVideo,
    first: Connection,
  ) {
    this.protocol = o.protocol;
    this.ended = this.ending.promise;
    this.simulcast = first.layers && this.layersOf(first.layers);
    this.attach(first);
  }

  /** What real-time viewers consume; undefined while the broadcast waits for its publisher. */
  get realtime(): RealtimeMedia | undefined {
    return this.connection?.media;
  }

  /** Whether the broadcast is over: it takes no publisher any more. */
  get over(): boolean {
    return this.closed || this.ending.over;
  }

  /** Whether the broadcast waits for its dropped publisher, and no returning one is connecting yet. */
  get awaitsPublisher(): boolean {
    return !this.over && !this.connection && !this.claimed;
  }

  /** Holds the broadcast for a returning publisher while it connects. False unless the broadcast waits for one. */
  claim(): boolean {
    if (!this.awaitsPublisher) return false;
    this.claimed = true;
    return true;
  }

  /** Gives up a claim whose publisher failed to connect or left. */
  unclaim(): void {
    this.claimed = false;
  }

  /** Continues the broadcast from a returning publisher's connection. Throws when the broadcast is over. */
  resume(connection: Connection): void {
    if (this.over) throw new Error('the broadcast ended before the publisher returned');
    this.o.log.info('the WebRTC publisher returned');
    this.attach(connection);
  }

  /**
   * The publisher on `transport` is gone: at once for good when it left `cleanly` (it said so), else as a
   * drop, which the reconnect window applies to. Nothing happens for a publisher another one replaced.
   */
  publisherLeft(transport: types.WebRtcTransport, reason: string, cleanly: boolean): void {
    const current = this.connection;
    if (current?.transport !== transport) return;
    if (cleanly) this.end(reason);
    else this.drop(current, reason);
  }

  openInput(): Promise<MediaInput> {
    return this.open();
  }

  /** Layers mode: the publisher's layers as they come, each on its own leg; a returning publisher must send the same ones. */
  private layersOf(layers: H264Facts[]): SimulcastSource {
    return {
      layers,
      openInput: () => this.open(layers.length),
      unavailable: () => {
        const c = this.connection;
        if (!c) return 'the publisher is away';
        if (c.layers?.length !== layers.length || c.layers.some((l, i) => l.width !== layers[i]!.width || l.height !== layers[i]!.height)) {
          return 'the returning publisher does not send the layers the broadcast started with';
        }
        return missingLayer(c.media.video, layers);
      },
      bitrates: () => this.connection?.layerRates?.read(layers.length) ?? layers.map(() => 0),
      readLayers: () => this.connection?.meter.readLayers(layerSsrcs(this.connection.media.video, layers.length)) ?? [],
    };
  }

  private async open(layers?: number): Promise<MediaInput> {
    for (;;) {
      if (this.over) throw new Error('the WebRTC ingest has ended');
      const connection = this.connection;
      // While the publisher is away the transcoder waits here instead of restarting FFmpeg on silence.
      if (!connection) {
        await this.returned.promise;
        continue;
      }
      const input = await openRtpInput({ ...connection.media, rtcPorts: this.o.rtcPorts, clock: connection.clock, layers });
      if (this.closed || this.connection !== connection) {
        await input.close();
        continue;
      }
      this.inputs.add(input);
      return {
        ...input,
        ended: connection.dropped.promise,
        close: async () => {
          this.inputs.delete(input);
          await input.close();
        },
      };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWaiting();
    this.returned.end();
    this.connection?.watchdog.stop();
    this.connection?.meter.close();
    this.connection?.clock?.close();
    this.connection?.layerRates?.close();
    await Promise.all([...this.inputs].map((input) => input.close()));
    this.inputs.clear();
    this.connection?.router.close();
  }

  private attach(c: Connection): void {
    this.connection = c;
    this.claimed = false;
    clearTimeout(this.windowTimer);
    // Closing a router closes its transports, which close their producers, all in one go: the reason
    // is worked out once that is over, from the outermost object that closed.
    const onClose = () => {
      if (this.connection === c) this.closeCheck ??= setImmediate(() => this.end(closeReason(c)));
    };
    c.router.once('workerclose', () => (c.workerDied = true));
    c.router.observer.once('close', onClose);
    c.transport.observer.once('close', onClose);
    for (const producer of producersOf(c)) producer.observer.once('close', onClose);
    void c.watchdog.lost.then((reason) => this.drop(c, reason));
    this.returned.end();
  }

  private drop(c: Connection, reason: string): void {
    if (this.connection !== c || this.over) return;
    const windowS = this.o.reconnectWindowS;
    if (windowS === 0) return this.end(reason);
    this.connection = undefined;
    this.returned = new Ending<void>();
    c.watchdog.stop();
    c.meter.close();
    c.clock?.close();
    c.layerRates?.close();
    // FFmpeg's legs go with the router; the run reading them stops, flushing its last segment.
    c.router.close();
    c.dropped.end();
    this.o.log.info('the WebRTC publisher dropped; waiting for it to return', { reason, windowS });
    this.windowTimer = setTimeout(() => this.end(`the publisher did not return within ${windowS} s`), windowS * 1000);
  }

  /** Reports the publisher gone, once; not when the server itself closed the ingest. */
  private end(reason: string): void {
    if (this.closed || !this.ending.end(reason)) return;
    this.connection?.watchdog.stop();
    this.stopWaiting();
    // The transcoder waiting for a publisher finds the ingest over.
    this.returned.end();
  }

  private stopWaiting(): void {
    clearImmediate(this.closeCheck);
    clearTimeout(this.windowTimer);
  }
}

function producersOf(c: Connection): types.Producer[] {
  return c.media.audio ? [c.media.video, c.media.audio] : [c.media.video];
}

function closeReason(c: Connection): string {
  if (c.workerDied) return 'the media worker died';
  if (c.router.closed) return 'the media router closed';
  if (c.transport.closed) return 'the publisher transport closed';
  const track = producersOf(c).find((p) => p.closed);
  return `the ${track?.kind ?? 'media'} track ended`;
}
