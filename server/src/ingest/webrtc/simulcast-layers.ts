import type { types } from 'mediasoup';
import { type H264Facts, h264SpsFacts } from '../h264-sps.js';
import { spsInPayload } from './h264-rtp-sps.js';
import { rtpPayload } from './keyframe-size.js';

const KEYFRAME_REQUEST_MS = 1000;
const RATE_SAMPLE_MS = 2000;

/**
 * How many H.264 simulcast layers a producer sends: 0 when it is a single stream, or another codec (VP8
 * simulcast stays encoded: CMAF rungs of VP8 are not what HLS players take).
 */
export function h264LayerCount(producer: Pick<types.Producer, 'kind' | 'type' | 'rtpParameters'>): number {
  const mimeType = producer.rtpParameters.codecs[0]?.mimeType.toLowerCase();
  const layers = producer.rtpParameters.encodings?.length ?? 0;
  return producer.kind === 'video' && producer.type === 'simulcast' && mimeType === 'video/h264' && layers >= 2 ? layers : 0;
}

/**
 * The SPS (profile, level, size) of each simulcast layer that comes, top first, from the layer's first
 * keyframe: one DirectTransport consumer per layer, pinned to it, hands its packets to Node. The layers
 * counted are the lowest ones up to the first that did not show within `timeoutMs`: Chromium sends fewer
 * layers than asked for from a small camera (two of three from 640x480, measured), leaving out the top
 * ones. Undefined unless at least two came: the broadcast is then encoded as any other.
 */
export async function probeLayers(router: types.Router, producer: types.Producer, timeoutMs: number): Promise<H264Facts[] | undefined> {
  const count = h264LayerCount(producer);
  if (count === 0) return undefined;
  const transport = await router.createDirectTransport();
  try {
    const found = await Promise.all([...Array(count).keys()].map((layer) => firstLayerSps(transport, producer, layer, router.rtpCapabilities, timeoutMs)));
    const missing = found.indexOf(undefined);
    const layers = (missing === -1 ? found : found.slice(0, missing)) as H264Facts[];
    return layers.length >= 2 ? layers.reverse() : undefined;
  } finally {
    transport.close();
  }
}

async function firstLayerSps(
  transport: types.DirectTransport,
  producer: types.Producer,
  layer: number,
  rtpCapabilities: types.RtpCapabilities,
  timeoutMs: number,
): Promise<H264Facts | undefined> {
  const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, enableRtx: false, preferredLayers: { spatialLayer: layer } });
  return new Promise((resolve) => {
    const finish = (facts: H264Facts | undefined) => {
      clearTimeout(timeout);
      clearInterval(keyframes);
      consumer.removeAllListeners('rtp');
      consumer.close();
      resolve(facts);
    };
    const timeout = setTimeout(() => finish(undefined), timeoutMs);
    const keyframes = setInterval(() => consumer.requestKeyFrame().catch(() => undefined), KEYFRAME_REQUEST_MS);
    consumer.on('rtp', (packet) => {
      // Until its own layer arrives the consumer forwards a lower one.
      if (consumer.currentLayers?.spatialLayer !== layer) return;
      const payload = rtpPayload(packet);
      const sps = payload && spsInPayload(payload);
      const facts = sps && h264SpsFacts(sps);
      if (facts) finish(facts);
    });
    transport.observer.once('close', () => finish(undefined));
  });
}

/**
 * Why a simulcast producer's layers cannot be the ladder's rungs now, or undefined when every one of the
 * `expected` layers is being received. mediasoup scores a layer 0 once nothing arrived on it for about
 * a second and a half (a layer the browser switched off, or dropped for bandwidth or CPU), which is also
 * when a consumer pinned to it moves to another layer.
 */
export function missingLayer(producer: Pick<types.Producer, 'closed' | 'score'>, expected: readonly H264Facts[]): string | undefined {
  if (producer.closed) return 'the publisher is away';
  for (let i = 0; i < expected.length; i++) {
    const score = producer.score.find((s) => s.encodingIdx === i)?.score ?? 0;
    const { width, height } = expected[expected.length - 1 - i]!;
    if (score === 0) return `the publisher stopped sending its ${width}x${height} layer; the ladder is encoded from the top layer until it has sent every layer for a while`;
  }
  return undefined;
}

/**
 * The SSRC of each of the lowest `layers` layers, top first (undefined for one not received yet): the
 * publisher's offer names the layers by rid, and mediasoup's scores tell which SSRC each one came on.
 */
export function layerSsrcs(producer: Pick<types.Producer, 'score'>, layers: number): Array<number | undefined> {
  return [...Array(layers).keys()].reverse().map((i) => producer.score.find((s) => s.encodingIdx === i)?.ssrc);
}

/**
 * Each layer's video bitrate over the publish so far (bits/s), top first: the byte counts of the producer's
 * RTP streams (mediasoup's stats, one per SSRC) sampled every 2 s.
 */
export class LayerBitrates {
  /** Per encoding (lowest layer first): its first and latest byte counts, and when they were taken. */
  private readonly counts: Array<{ firstAtMs: number; firstBytes: number; atMs: number; bytes: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly producer: types.Producer) {
    this.timer = setInterval(() => void this.sample(), RATE_SAMPLE_MS).unref();
  }

  /** The lowest `layers` layers' bitrates, top first; 0 for a layer sampled fewer than two times. */
  read(layers: number): number[] {
    return [...Array(layers).keys()].reverse().map((i) => {
      const c = this.counts[i];
      return c && c.atMs > c.firstAtMs ? ((c.bytes - c.firstBytes) * 8 * 1000) / (c.atMs - c.firstAtMs) : 0;
    });
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    if (this.producer.closed) return;
    const stats = await this.producer.getStats().catch(() => []);
    const atMs = Date.now();
    for (const s of stats) {
      const layer = this.producer.score.find((score) => score.ssrc === s.ssrc)?.encodingIdx;
      if (layer === undefined) continue;
      const c = (this.counts[layer] ??= { firstAtMs: atMs, firstBytes: s.byteCount, atMs, bytes: s.byteCount });
      c.atMs = atMs;
      c.bytes = s.byteCount;
    }
  }
}
