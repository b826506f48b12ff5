import dgram from 'node:dgram';
import type { types } from 'mediasoup';
import { keyframeSize } from '../../server/src/ingest/webrtc/keyframe-size.js';

const LOOPBACK = '127.0.0.1';
const TICKS_PER_MS = 90;

/** A keyframe as the leg's reader got it: RTP timestamp (90 kHz) and the picture size of its SPS. */
export interface LegKeyframe {
  atMs: number;
  timestamp: number;
  size: string;
}

/**
 * A plain-RTP leg like the one Axon's WebRTC ingest gives FFmpeg (rtp-input.ts: plain transport, RTCP on
 * its own port, no RTX), read here by a UDP socket instead: which seconds it forwarded anything, and every
 * keyframe (the first packet carrying an SPS). With `layer`, the consumer is pinned to that simulcast layer.
 */
export class RtpLeg {
  /** Packets received in each second since the leg was opened. */
  readonly packetsPerSecond: number[] = [];
  readonly keyframes: LegKeyframe[] = [];
  private readonly openedAt = Date.now();
  private frames = 0;
  private firstFrameTimestamp: number | undefined;
  private lastFrameTimestamp = 0;

  private constructor(
    readonly consumer: types.Consumer,
    private readonly transport: types.PlainTransport,
    private readonly sockets: dgram.Socket[],
  ) {
    const mimeType = consumer.rtpParameters.codecs[0]?.mimeType ?? '';
    sockets[0]!.on('message', (packet) => this.receive(mimeType, packet));
  }

  static async open(router: types.Router, producer: types.Producer, o: { layer?: number; enableBwe: boolean; ports: { min: number; max: number } }): Promise<RtpLeg> {
    const rtp = await bind(0);
    const rtcp = await bind(0);
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK, portRange: o.ports }, rtcpMux: false, comedia: false, enableBwe: o.enableBwe });
    await transport.connect({ ip: LOOPBACK, port: rtp.address().port, rtcpPort: rtcp.address().port });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
      enableRtx: false,
      ...(o.layer !== undefined && { preferredLayers: { spatialLayer: o.layer, temporalLayer: 0 } }),
    });
    return new RtpLeg(consumer, transport, [rtp, rtcp]);
  }

  /** Seconds since the leg opened, from `fromS` up to (not including) `toS`, in which any packet arrived. */
  secondsForwarded(fromS: number, toS: number): number {
    return this.packetsPerSecond.slice(fromS, toS).filter((n) => n > 0).length;
  }

  /** The mean spacing of the frames received (ms, from their RTP timestamps); NaN before two. */
  frameIntervalMs(): number {
    if (this.firstFrameTimestamp === undefined || this.frames < 2) return Number.NaN;
    return ((this.lastFrameTimestamp - this.firstFrameTimestamp) >>> 0) / TICKS_PER_MS / (this.frames - 1);
  }

  /** When the picture size last changed (ms since the leg opened; 0 when it never did). */
  lastSizeChangeMs(): number {
    const change = this.keyframes.findLast((k, i) => i > 0 && k.size !== this.keyframes[i - 1]!.size);
    return change?.atMs ?? 0;
  }

  /** Intervals between successive keyframes, from their RTP timestamps (ms). */
  keyframeIntervalsMs(fromMs = 0): number[] {
    const kept = this.keyframes.filter((k) => k.atMs >= fromMs);
    return kept.slice(1).map((k, i) => ((k.timestamp - kept[i]!.timestamp) >>> 0) / TICKS_PER_MS);
  }

  close(): void {
    this.transport.close();
    for (const socket of this.sockets) socket.close();
  }

  private receive(mimeType: string, packet: Buffer): void {
    const atMs = Date.now() - this.openedAt;
    const second = Math.floor(atMs / 1000);
    for (let s = this.packetsPerSecond.length; s <= second; s++) this.packetsPerSecond.push(0);
    this.packetsPerSecond[second]! += 1;
    if (packet.length >= 8 && (packet[1]! & 0x80) !== 0) {
      // The marker bit ends a frame.
      this.firstFrameTimestamp ??= packet.readUInt32BE(4);
      this.lastFrameTimestamp = packet.readUInt32BE(4);
      this.frames += 1;
    }
    const size = keyframeSize(mimeType, packet);
    if (!size || packet.length < 8) return;
    const timestamp = packet.readUInt32BE(4);
    // An SPS may come in more than one packet of a frame: the frame counts once.
    if (this.keyframes.at(-1)?.timestamp === timestamp) return;
    this.keyframes.push({ atMs, timestamp, size: `${size.width}x${size.height}` });
  }
}

function bind(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, LOOPBACK, () => resolve(socket));
  });
}
