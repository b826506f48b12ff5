import type { types } from 'mediasoup';
import { MAX_SOURCE_HEIGHT, MAX_SOURCE_WIDTH } from '../../../../shared/constants.js';
import type { SourceVideo } from '../../session/ingest.js';
import { type H264Facts, h264SpsFacts, type PictureSize } from '../h264-sps.js';
import { spsInPayload } from './h264-rtp-sps.js';
import { keyframeSize, rtpPayload } from './keyframe-size.js';
import type { PacketFeed } from './rtp-meter.js';

const KEYFRAME_REQUEST_MS = 1000;
/** With simulcast, how long after the first key frame to wait for one of the top layer (it may still be ramping up). */
const SIMULCAST_SETTLE_MS = 5000;
const MIN_SIDE = 16;

/** What the first key frame told of a WebRTC video producer. */
export interface VideoProbe {
  video: SourceVideo;
  /** The key frame's SPS, for H.264. */
  h264: H264Facts | undefined;
  /**
   * H.264: the probe's consumer stays open and hands on its packets, so that the meter reads every later
   * SPS (its size changes with the browser's adaptation) without asking for a keyframe of its own. It
   * closes with the router.
   */
  packets: PacketFeed | undefined;
}

/**
 * Learns the picture size of a WebRTC video producer, which an SDP offer does not carry, from the first
 * key frame: a DirectTransport consumer hands its RTP packets to Node, where the VP8 frame header or the
 * H.264 SPS is read. Measured on loopback: the size is known within ~one round trip of the keyframe
 * request (tens of ms), with no process to start, unlike probing with FFmpeg. For simulcast the top
 * layer's size is what counts (it is what FFmpeg gets); the largest seen is taken if that layer does
 * not show up in time.
 */
export async function probeVideo(router: types.Router, producer: types.Producer, timeoutMs: number): Promise<VideoProbe> {
  const transport = await router.createDirectTransport();
  let keepOpen = false;
  try {
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, enableRtx: false });
    const mimeType = consumer.rtpParameters.codecs[0]?.mimeType ?? '';
    const topLayer = producer.rtpParameters.encodings!.length - 1;
    const size = await new Promise<PictureSize | H264Facts>((resolve, reject) => {
      let largest: PictureSize | H264Facts | undefined;
      let settle: NodeJS.Timeout | undefined;
      const finish = (result: PictureSize | H264Facts | Error) => {
        clearTimeout(timeout);
        clearTimeout(settle);
        clearInterval(keyframes);
        consumer.removeAllListeners('rtp');
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const timeout = setTimeout(() => finish(largest ?? new Error(`no video key frame arrived within ${timeoutMs / 1000} s`)), timeoutMs);
      const keyframes = setInterval(() => consumer.requestKeyFrame().catch(() => undefined), KEYFRAME_REQUEST_MS);
      consumer.on('rtp', (packet) => {
        const seen = h264Facts(mimeType, packet) ?? keyframeSize(mimeType, packet);
        if (!seen) return;
        if (consumer.type !== 'simulcast' || consumer.currentLayers?.spatialLayer === topLayer) return finish(seen);
        if (!largest || seen.width * seen.height > largest.width * largest.height) largest = seen;
        settle ??= setTimeout(() => finish(largest!), SIMULCAST_SETTLE_MS);
      });
      transport.observer.once('close', () => finish(new Error('the media router closed')));
    });
    const video = checkedSize(size);
    const h264 = 'profileIdc' in size ? size : undefined;
    keepOpen = h264 !== undefined;
    const packets: PacketFeed | undefined = keepOpen
      ? (listener) => {
          consumer.on('rtp', listener);
          return () => consumer.off('rtp', listener);
        }
      : undefined;
    return { video, h264, packets };
  } finally {
    if (!keepOpen) transport.close();
  }
}

function h264Facts(mimeType: string, packet: Buffer): H264Facts | undefined {
  const payload = mimeType.toLowerCase() === 'video/h264' ? rtpPayload(packet) : undefined;
  const sps = payload && spsInPayload(payload);
  return sps && h264SpsFacts(sps);
}

function checkedSize({ width, height }: PictureSize): SourceVideo {
  if (width > MAX_SOURCE_WIDTH || height > MAX_SOURCE_HEIGHT) {
    throw new Error(`the video is ${width}x${height}; Axon takes at most ${MAX_SOURCE_WIDTH}x${MAX_SOURCE_HEIGHT}`);
  }
  if (width < MIN_SIDE || height < MIN_SIDE) throw new Error(`the video is ${width}x${height}, smaller than ${MIN_SIDE}x${MIN_SIDE}`);
  return { width, height };
}
