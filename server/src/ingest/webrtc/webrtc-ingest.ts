import type { types } from 'mediasoup';
import { Ending } from '../../ending.js';
import type { IngestSource, MediaInput, SourceVideo } from '../../session/ingest.js';
import type { RealtimeMedia } from '../../sfu/realtime-media.js';
import { TransportWatchdog } from '../../sfu/transport-watchdog.js';
import { openRtpInput } from './rtp-input.js';
import { RtpMeter } from './rtp-meter.js';
import type { PortRange } from './udp-ports.js';
import { probeVideoSize } from './video-size-probe.js';

/** Once the publisher has connected, its first video key frame, which sizes the ladder, must arrive within this time. */
export const PROBE_TIMEOUT_MS = 10_000;

export interface WebRtcIngestOptions {
  protocol: 'webrtc' | 'whip';
  /** The broadcast's own router: closing the ingest closes it. */
  router: types.Router;
  /** The publisher's transport, watched for ICE/DTLS failure. */
  transport: types.WebRtcTransport;
  video: types.Producer;
  audio?: types.Producer;
  /** The frame rate the publisher reports, if it does: a key frame does not carry one. */
  frameRate?: number;
  /** mediasoup's port range, which FFmpeg's RTP ports stay out of. */
  rtcPorts: PortRange;
}

/**
 * Waits for the publisher to connect, reads the picture size from its first key frame (never from what
 * the publisher claims), and returns the ingest. Rejects when the connection is lost or does not come, or
 * no key frame arrives in time; the caller then closes the router, which stops the probe too.
 */
export async function connectWebRtcIngest(o: WebRtcIngestOptions): Promise<WebRtcIngest> {
  const watchdog = new TransportWatchdog(o.transport, 'publisher');
  try {
    await watchdog.connected;
    const lost = watchdog.lost.then((reason) => Promise.reject(new Error(reason)));
    const size = await Promise.race([probeVideoSize(o.router, o.video, PROBE_TIMEOUT_MS), lost]);
    return new WebRtcIngest(o, { ...size, ...(o.frameRate !== undefined && { frameRate: o.frameRate }) }, watchdog);
  } catch (err) {
    watchdog.stop();
    throw err;
  }
}

/** A broadcast published over WebRTC into a mediasoup router, handed to FFmpeg as plain RTP. */
export class WebRtcIngest implements IngestSource {
  readonly protocol: 'webrtc' | 'whip';
  readonly realtime: RealtimeMedia;
  readonly meter: RtpMeter;
  readonly ended: Promise<string>;
  private readonly ending = new Ending();
  private closed = false;
  private closeCheck: NodeJS.Immediate | undefined;
  private workerDied = false;
  private readonly inputs = new Set<MediaInput>();

  constructor(
    private readonly o: WebRtcIngestOptions,
    readonly video: SourceVideo,
    private readonly watchdog: TransportWatchdog,
  ) {
    this.protocol = o.protocol;
    this.ended = this.ending.promise;
    this.realtime = { router: o.router, video: o.video, ...(o.audio && { audio: o.audio }) };
    this.meter = new RtpMeter({ video: o.video, audio: o.audio, size: video });
    const { router, transport } = o;
    // Closing a router closes its transports, which close their producers, all in one go: the reason
    // is worked out once that is over, from the outermost object that closed.
    const onClose = () => {
      this.closeCheck ??= setImmediate(() => this.end(this.closeReason()));
    };
    router.once('workerclose', () => (this.workerDied = true));
    router.observer.once('close', onClose);
    transport.observer.once('close', onClose);
    for (const producer of this.producers()) producer.observer.once('close', onClose);
    void watchdog.lost.then((reason) => this.end(reason));
  }

  async openInput(): Promise<MediaInput> {
    if (this.closed || this.ending.over) throw new Error('the WebRTC ingest has ended');
    const input = await openRtpInput({
      router: this.o.router,
      video: this.o.video,
      audio: this.o.audio,
      rtcPorts: this.o.rtcPorts,
    });
    if (this.closed) {
      await input.close();
      throw new Error('the WebRTC ingest was closed');
    }
    this.inputs.add(input);
    return {
      ...input,
      close: async () => {
        this.inputs.delete(input);
        await input.close();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.stop();
    this.meter.close();
    clearImmediate(this.closeCheck);
    await Promise.all([...this.inputs].map((input) => input.close()));
    this.inputs.clear();
    this.o.router.close();
  }

  private producers(): types.Producer[] {
    return this.o.audio ? [this.o.video, this.o.audio] : [this.o.video];
  }

  private closeReason(): string {
    if (this.workerDied) return 'the media worker died';
    if (this.o.router.closed) return 'the media router closed';
    if (this.o.transport.closed) return 'the publisher transport closed';
    const track = this.producers().find((p) => p.closed);
    return `the ${track?.kind ?? 'media'} track ended`;
  }

  /** Reports the publisher gone, once; not when the server itself closed the ingest. */
  private end(reason: string): void {
    if (this.closed || !this.ending.end(reason)) return;
    this.watchdog.stop();
    clearImmediate(this.closeCheck);
  }
}
