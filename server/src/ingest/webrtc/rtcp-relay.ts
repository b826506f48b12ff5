import dgram from 'node:dgram';
import { allocateUdpPortPair, type PortRange, type UdpPortPair } from './udp-ports.js';

/** RTCP packet type of a sender report (RFC 3550, 6.4.1). */
const SENDER_REPORT = 200;
const RTP_VERSION = 2;

/**
 * Whether a (compound) RTCP datagram carries a sender report. Walks the packets by their length fields and
 * stops at the first that is not RTCP version 2 or runs past the datagram, so any bytes give an answer.
 */
export function hasSenderReport(datagram: Uint8Array): boolean {
  for (let offset = 0; offset + 4 <= datagram.length; ) {
    if (datagram[offset]! >> 6 !== RTP_VERSION) return false;
    if (datagram[offset + 1] === SENDER_REPORT) return true;
    offset += (((datagram[offset + 2]! << 8) | datagram[offset + 3]!) + 1) * 4;
  }
  return false;
}

/**
 * Decides which sender reports reach FFmpeg so that the reference stream's (leg 0, the video) is the first.
 * FFmpeg 5.1's RTP reader (rtsp.c, rtpdec.c) takes the first sender report of any stream as every stream's
 * origin: that stream's timestamps never move, and each other stream is re-timed at its own first report
 * onto that origin, jumping by how far its first packet's capture time is from the reference's. The video
 * should not jump (FFmpeg fills a forward jump with repeated frames, a freeze of up to a second), so
 * the other legs' reports are dropped until the reference's has gone through; mediasoup sends one about
 * every second (measured: 1.0-1.5 s apart), and FFmpeg needs none of them to read the media.
 */
export class SenderReportGate {
  private referenced = false;

  /** Whether this datagram from leg `leg` goes on to FFmpeg. */
  pass(leg: number, datagram: Uint8Array): boolean {
    if (!hasSenderReport(datagram)) return true;
    if (leg === 0) this.referenced = true;
    return this.referenced;
  }
}

/** One leg's RTCP hop: mediasoup sends to `port`, the relay forwards to FFmpeg's RTCP port. */
export interface RtcpHop {
  readonly port: number;
  /** Only datagrams from this port (the leg's transport's RTCP socket) are forwarded. */
  acceptFrom(port: number): void;
}

/**
 * UDP hops between mediasoup's plain transports and FFmpeg's RTCP ports on one host, one per leg, with one
 * SenderReportGate across them: the first hop added is the reference's. A few datagrams a second.
 */
export class RtcpRelay {
  private readonly gate = new SenderReportGate();
  private readonly opened: Array<{ pair: UdpPortPair; socket: dgram.Socket }> = [];
  private hops = 0;
  private closed = false;

  constructor(
    private readonly host: string,
    /** mediasoup's own port range, which the hops stay out of. */
    private readonly avoid: PortRange,
  ) {}

  /** A hop forwarding to FFmpeg's RTCP port `toPort`, on a port from the allocator FFmpeg's ports come from. */
  async addHop(toPort: number): Promise<RtcpHop> {
    const leg = this.hops++;
    const pair = await allocateUdpPortPair(this.host, this.avoid);
    const socket = await bindUdp(this.host, pair.rtpPort).catch((err: unknown) => {
      pair.release();
      throw err;
    });
    this.opened.push({ pair, socket });
    if (this.closed) this.close();
    let from: number | undefined;
    socket.on('message', (datagram, sender) => {
      if (sender.port !== from || sender.address !== this.host || !this.gate.pass(leg, datagram)) return;
      socket.send(datagram, toPort, this.host);
    });
    return { port: pair.rtpPort, acceptFrom: (port) => void (from = port) };
  }

  close(): void {
    this.closed = true;
    for (const { pair, socket } of this.opened.splice(0)) {
      socket.close();
      pair.release();
    }
  }
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      // A send to a port FFmpeg has not bound yet (or has closed) can come back as an error: RTCP is lossy anyway.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}
