import dgram from 'node:dgram';

/** An RTP port (even) and its RTCP port (the next one), free when handed out. */
export interface UdpPortPair {
  rtpPort: number;
  rtcpPort: number;
  /** Lets this process hand the pair out again. Idempotent. */
  release(): void;
}

export interface PortRange {
  min: number;
  max: number;
}

const MAX_ATTEMPTS = 100;
const LOWEST_PORT = 1024;
/** Highest RTP port: its RTCP port (+1) must still be a port. */
const HIGHEST_RTP_PORT = 65534;

/** Pairs handed out and not yet released: FFmpeg binds them only later, so the OS does not know they are taken. */
const handedOut = new Set<number>();

/**
 * Finds an even port p with p + 1 free on `host`, for a receiver that binds both itself (FFmpeg reading
 * RTP through an SDP file). Ports in `avoid` (mediasoup's own range) are skipped so a transport created
 * before FFmpeg starts cannot take them.
 */
export async function allocateUdpPortPair(host: string, avoid?: PortRange): Promise<UdpPortPair> {
  const ranges = allowedRanges(avoid);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const rtpPort = randomEvenPort(ranges);
    if (handedOut.has(rtpPort)) continue;
    // Claimed before the checks, which wait: a concurrent call must not pick the same pair meanwhile.
    handedOut.add(rtpPort);
    if (!(await isFree(host, rtpPort)) || !(await isFree(host, rtpPort + 1))) {
      handedOut.delete(rtpPort);
      continue;
    }
    let released = false;
    return {
      rtpPort,
      rtcpPort: rtpPort + 1,
      release: () => {
        if (released) return;
        released = true;
        handedOut.delete(rtpPort);
      },
    };
  }
  throw new Error(`no free UDP port pair on ${host}`);
}

/** Where an RTP port may lie (inclusive), with its RTCP port outside `avoid` too. */
function allowedRanges(avoid?: PortRange): PortRange[] {
  if (!avoid) return [{ min: LOWEST_PORT, max: HIGHEST_RTP_PORT }];
  const ranges = [
    { min: LOWEST_PORT, max: Math.min(HIGHEST_RTP_PORT, avoid.min - 2) },
    { min: Math.max(LOWEST_PORT, avoid.max + 1), max: HIGHEST_RTP_PORT },
  ].filter((r) => r.max - r.min >= 1);
  if (ranges.length === 0) throw new Error(`no UDP ports left outside ${avoid.min}-${avoid.max}`);
  return ranges;
}

function randomEvenPort(ranges: PortRange[]): number {
  const sizes = ranges.map((r) => r.max - r.min + 1);
  let pick = Math.floor(Math.random() * sizes.reduce((a, b) => a + b, 0));
  let i = 0;
  while (pick >= sizes[i]!) pick -= sizes[i++]!;
  const port = ranges[i]!.min + pick;
  return port % 2 === 0 ? port : port + 1 <= ranges[i]!.max ? port + 1 : port - 1;
}

function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}
