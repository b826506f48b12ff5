import type { Writable } from 'node:stream';
import type { types } from 'mediasoup';
import type { MediaInput } from '../../session/ingest.js';
import type { KeyframeClock } from './keyframe-clock.js';
import { RtcpRelay } from './rtcp-relay.js';
import { untilUdpPortsBound } from './rtp-listener.js';
import { buildRtpInputSdp, type RtpInputStream } from './rtp-sdp.js';
import { allocateUdpPortPair, type PortRange, type UdpPortPair } from './udp-ports.js';

const LOOPBACK = '127.0.0.1';
/** FFmpeg opens its input within a few hundred ms of its spawn; past this the consumers resume anyway. */
const LISTEN_TIMEOUT_MS = 3000;
/** The audio of a single stream waits for the video's first keyframe this long at most (FFmpeg's analysis cap). */
const AUDIO_WAIT_MS = 3000;

/**
 * How FFmpeg opens the SDP. The SDP carries every codec parameter except the picture size, which FFmpeg
 * reads from the first keyframe (mediasoup asks the publisher for one when the consumers resume): the
 * analysis normally ends within a few hundred ms, once it has the size and enough frames to tell the frame
 * rate. The limits only cap the wait when no keyframe comes, and a request can go unanswered for a second:
 * Chromium ignores one within 300 ms of the previous (the size probe's), and mediasoup then holds every
 * further request until it repeats its own a second later (measured: the first keyframe 1.05 s after the
 * resume). An encoded top rung carries on without the size and takes it from the first decoded frame, but
 * a copied one cannot be written without it, hence 3 s rather than FFmpeg's 5 s, which would delay the
 * first segment of every broadcast whose keyframe is lost. The socket buffer absorbs a large keyframe's
 * burst while FFmpeg is busy encoding (its RTP reader has no receive thread, and nothing asks mediasoup to
 * retransmit; Linux caps it at 2 x net.core.rmem_max). A/V sync comes from the RTCP sender reports
 * mediasoup sends to port + 1 (through the RTCP relay for a single stream), so packet timestamps are left as
 * they are (no -use_wallclock_as_timestamps, no +genpts). The SDP comes on stdin, not in a file: nothing is
 * left behind when the server is killed.
 */
function rtpInputArgs(): string[] {
  return [
    '-protocol_whitelist', 'pipe,udp,rtp',
    '-analyzeduration', '3000000',
    '-probesize', '2000000',
    '-buffer_size', String(4 * 1024 * 1024),
    // With a second input (silence when the source has no audio) FFmpeg reads each in its own thread;
    // the default queue of 8 packets would stall the RTP reader behind the encoder.
    '-thread_queue_size', '1024',
    '-f', 'sdp',
    '-i', 'pipe:0',
  ];
}

export interface RtpInputOptions {
  router: types.Router;
  video: types.Producer;
  audio?: types.Producer;
  /** mediasoup's own port range, which FFmpeg's ports stay out of. */
  rtcPorts: PortRange;
  /**
   * The publish's keyframe clock (H.264, whose top rung may be copied): the run starts on its grid and
   * its consumer is asked on it; FFmpeg's own requests at start are let through only until the grid starts.
   */
  clock?: KeyframeClock | undefined;
  /** Simulcast layers mode: one video leg per layer, top first, each pinned to its layer (asked together on the clock). */
  layers?: number;
}

/** One producer's path to FFmpeg: a plain transport sending RTP to FFmpeg's port and RTCP to port + 1 (or to its relay hop). */
interface Leg {
  ports: UdpPortPair;
  transport: types.PlainTransport;
  consumer: types.Consumer;
}

/**
 * Pipes a router's producers to one FFmpeg run over plain RTP on loopback. Consumers start paused so
 * that nothing is sent before FFmpeg listens; start() resumes them once FFmpeg has bound its ports.
 *
 * A single stream's video keeps its timestamps from FFmpeg's first packet on (else FFmpeg repeats frames
 * across the jump, up to a second at go-live), so its RTCP goes through a relay that makes the video's sender
 * report FFmpeg's reference (rtcp-relay.ts), and its audio resumes only once the video's first keyframe is
 * sent: FFmpeg then re-times the audio at its own first report by the tens of ms between their first
 * packets, not by the up to a second the first keyframe can take (aresample's async fills or trims that).
 * Simulcast layers (each a copied rung, a layer as reference would make the others jump back) keep their
 * direct RTCP.
 */
export async function openRtpInput(o: RtpInputOptions): Promise<MediaInput> {
  const legs: Leg[] = [];
  const relay = o.layers ? undefined : new RtcpRelay(LOOPBACK, o.rtcPorts);
  let closed = false;
  let detachClock: (() => void) | undefined;
  const close = async () => {
    if (closed) return;
    closed = true;
    detachClock?.();
    relay?.close();
    for (const leg of legs) {
      leg.transport.close(); // closes its consumer
      leg.ports.release();
    }
  };

  try {
    const layers = o.layers ? [...Array(o.layers).keys()].reverse() : [undefined];
    for (const layer of layers) legs.push(await openLeg(o.router, o.video, o.rtcPorts, { layer, relay }));
    if (o.audio) legs.push(await openLeg(o.router, o.audio, o.rtcPorts, { relay }));
    const videoConsumers = legs.filter((leg) => leg.consumer.kind === 'video').map((leg) => leg.consumer);
    const sdp = buildRtpInputSdp(legs.map(describeStream));
    const videoConsumer = legs[0]!.consumer;
    const origin = firstKeyframeSent(videoConsumer);
    const { clock } = o;
    return {
      ffmpegInputArgs: rtpInputArgs(),
      hasAudio: o.audio !== undefined,
      // FFmpeg's SDP reader reads to the end of its input before it opens the ports.
      attachStdin: (stdin: Writable) => {
        stdin.on('error', () => undefined); // EPIPE when FFmpeg exits first; the transcoder reports its exit
        stdin.end(sdp);
      },
      start: async () => {
        await Promise.all([origin.watching, untilUdpPortsBound(legs.map((leg) => leg.ports.rtpPort), LISTEN_TIMEOUT_MS)]);
        // Resuming makes mediasoup ask for a keyframe, which FFmpeg's output starts from: at the next boundary.
        if (clock) {
          await clock.untilBoundary();
          if (!closed) detachClock = clock.attach(videoConsumers);
        }
        const held = relay ? legs.filter((leg) => leg.consumer.kind === 'audio') : [];
        await Promise.all(legs.filter((leg) => !held.includes(leg)).map((leg) => leg.consumer.resume()));
        for (const leg of held) void whenOrAfter(origin.sent, AUDIO_WAIT_MS).then(() => leg.consumer.resume()).catch(() => undefined);
      },
      originArrival: origin.at,
      requestKeyFrame: () => {
        if (clock?.running) return;
        for (const consumer of videoConsumers) if (!consumer.closed) consumer.requestKeyFrame().catch(() => undefined);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * When the consumer sent FFmpeg its first keyframe, which is when that frame reached Axon: mediasoup forwards
 * each packet as it arrives, and a resumed video consumer sends nothing before a keyframe. FFmpeg decodes
 * from that frame on and counts every output's media time from it (not from the RTP timestamps, whose
 * mapping it changes once RTCP sender reports come), so its arrival is the run's time 0.
 */
function firstKeyframeSent(consumer: types.Consumer): { watching: Promise<void>; sent: Promise<void>; at: () => Date | undefined } {
  let at: Date | undefined;
  let markSent!: () => void;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const onTrace = (trace: types.ConsumerTraceEventData) => {
    if (trace.type !== 'keyframe' || trace.direction !== 'out' || at) return;
    at = new Date();
    markSent();
    consumer.off('trace', onTrace);
    void consumer.enableTraceEvent([]).catch(() => undefined);
  };
  consumer.on('trace', onTrace);
  // A consumer closed meanwhile sends nothing: the packager then dates the run from its first segment.
  const watching = consumer.enableTraceEvent(['keyframe']).catch(() => undefined);
  return { watching, sent, at: () => at };
}

function whenOrAfter(event: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([event, timeout]).finally(() => clearTimeout(timer));
}

/** With `layer`, the leg carries that simulcast layer only (a consumer pinned to it); with `relay`, its RTCP goes through a hop of it. */
async function openLeg(
  router: types.Router,
  producer: types.Producer,
  rtcPorts: PortRange,
  { layer, relay }: { layer?: number | undefined; relay?: RtcpRelay | undefined },
): Promise<Leg> {
  const ports = await allocateUdpPortPair(LOOPBACK, rtcPorts);
  let transport: types.PlainTransport | undefined;
  try {
    const hop = await relay?.addHop(ports.rtcpPort);
    transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: LOOPBACK },
      rtcpMux: false,
      comedia: false,
      // FFmpeg sends no transport-cc feedback, and mediasoup (3.32) then takes the silence for a round trip
      // growing without end: 3 s after the first packet it cuts its outgoing estimate to 0.8x every second.
      // A simulcast consumer obeys that estimate, stepping down a layer at a time and then sending nothing
      // (measured: 600 kbit/s at 3.5 s, 100 kbit/s and no layer at 13.6 s). A single stream is never limited.
      enableBwe: false,
    });
    await transport.connect({ ip: LOOPBACK, port: ports.rtpPort, rtcpPort: hop?.port ?? ports.rtcpPort });
    if (hop) hop.acceptFrom(transport.rtcpTuple!.localPort);
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
      // FFmpeg sends no NACKs: keeping packets for retransmission would be wasted memory.
      enableRtx: false,
      ...(layer !== undefined && { preferredLayers: { spatialLayer: layer } }),
    });
    return { ports, transport, consumer };
  } catch (err) {
    transport?.close();
    ports.release();
    throw err;
  }
}

function describeStream(leg: Leg): RtpInputStream {
  const codec = leg.consumer.rtpParameters.codecs[0];
  if (!codec) throw new Error('consumer has no codec');
  return {
    kind: leg.consumer.kind,
    port: leg.ports.rtpPort,
    payloadType: codec.payloadType,
    mimeType: codec.mimeType,
    clockRate: codec.clockRate,
    channels: codec.channels,
    parameters: codec.parameters as Record<string, string | number> | undefined,
  };
}
