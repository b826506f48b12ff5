import { type H264Facts, h264SpsFacts } from '../h264-sps.js';

const NAL_SPS = 7;
const NAL_STAP_A = 24;
const NAL_FU_A = 28;
/** Far above any real SPS (tens of bytes): a fragmented one growing past this is dropped, not buffered. */
const MAX_SPS_BYTES = 1024;

/**
 * The SPS NAL unit in an H.264 RTP payload (RFC 6184) sent alone or in a STAP-A aggregate, as browsers
 * send it ahead of each IDR frame; undefined when there is none or the aggregate is truncated.
 */
export function spsInPayload(payload: Buffer): Buffer | undefined {
  const type = (payload[0] ?? 0) & 0x1f;
  if (type === NAL_SPS) return payload;
  if (type !== NAL_STAP_A) return undefined;
  for (let i = 1; i + 2 <= payload.length; ) {
    const size = payload.readUInt16BE(i);
    if (size === 0 || i + 2 + size > payload.length) return undefined;
    const nal = payload.subarray(i + 2, i + 2 + size);
    if ((nal[0]! & 0x1f) === NAL_SPS) return nal;
    i += 2 + size;
  }
  return undefined;
}

/**
 * Whether an H.264 RTP payload carries an SPS or the first fragment of one: the packets mediasoup's
 * parser flags as a keyframe's, so that a meter reading the packets counts keyframes as its trace would.
 */
export function carriesSps(payload: Buffer): boolean {
  if (((payload[0] ?? 0) & 0x1f) !== NAL_FU_A) return spsInPayload(payload) !== undefined;
  const fuHeader = payload[1] ?? 0;
  return (fuHeader & 0x80) !== 0 && (fuHeader & 0x1f) === NAL_SPS;
}

/**
 * Reads the SPS of an H.264 RTP stream, packet by packet, whichever way it is packetised: a single NAL
 * unit, a STAP-A aggregate, or FU-A fragments (reassembled only while their sequence numbers follow on,
 * up to MAX_SPS_BYTES). The bytes come from publishers: anything malformed just yields nothing.
 */
export class H264SpsReader {
  private fragments: { header: number; parts: Buffer[]; bytes: number; nextSeq: number } | undefined;

  /** The facts of the SPS this payload carries or completes, if any. */
  push(payload: Buffer, sequenceNumber: number): H264Facts | undefined {
    if (((payload[0] ?? 0) & 0x1f) === NAL_FU_A) return this.fragment(payload, sequenceNumber);
    this.fragments = undefined;
    const sps = spsInPayload(payload);
    return sps && h264SpsFacts(sps);
  }

  private fragment(payload: Buffer, seq: number): H264Facts | undefined {
    if (payload.length < 3) return (this.fragments = undefined);
    const indicator = payload[0]!;
    const fuHeader = payload[1]!;
    const start = (fuHeader & 0x80) !== 0;
    const end = (fuHeader & 0x40) !== 0;
    const body = payload.subarray(2);
    if (start) {
      // The NAL header is rebuilt from the indicator's F and NRI bits and the FU header's type.
      this.fragments = (fuHeader & 0x1f) === NAL_SPS ? { header: (indicator & 0xe0) | NAL_SPS, parts: [body], bytes: body.length, nextSeq: (seq + 1) & 0xffff } : undefined;
    } else if (this.fragments && seq === this.fragments.nextSeq && this.fragments.bytes + body.length <= MAX_SPS_BYTES) {
      this.fragments.parts.push(body);
      this.fragments.bytes += body.length;
      this.fragments.nextSeq = (seq + 1) & 0xffff;
    } else {
      this.fragments = undefined;
    }
    if (!end || !this.fragments) return undefined;
    const nal = Buffer.concat([Buffer.of(this.fragments.header), ...this.fragments.parts]);
    this.fragments = undefined;
    return h264SpsFacts(nal);
  }
}
