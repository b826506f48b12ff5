import { h264SpsSize, type PictureSize } from '../h264-sps.js';
import { spsInPayload } from './h264-rtp-sps.js';

const RTP_HEADER_BYTES = 12;

/** The payload of an RTP packet (RFC 3550): after the CSRCs and the header extension, before the padding. */
export function rtpPayload(packet: Buffer): Buffer | undefined {
  if (packet.length < RTP_HEADER_BYTES || packet[0]! >> 6 !== 2) return undefined;
  const csrcCount = packet[0]! & 0x0f;
  let offset = RTP_HEADER_BYTES + 4 * csrcCount;
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  const padding = packet[0]! & 0x20 ? packet[packet.length - 1]! : 0;
  const end = packet.length - padding;
  return offset < end ? packet.subarray(offset, end) : undefined;
}

/**
 * The picture size of a VP8 key frame, from the first packet of the frame (RFC 7741 payload descriptor,
 * then the key frame header of RFC 6386 §9.1: start code 9d 01 2a and two 14-bit dimensions).
 */
export function vp8KeyframeSize(payload: Buffer): PictureSize | undefined {
  let i = 1;
  const first = payload[0];
  if (first === undefined) return undefined;
  if (first & 0x80) {
    const ext = payload[i++];
    if (ext === undefined) return undefined;
    if (ext & 0x80) i += (payload[i] ?? 0) & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (ext & 0x40) i += 1; // TL0PICIDX
    if (ext & 0x30) i += 1; // TID/KEYIDX
  }
  const startOfPartition = (first & 0x10) !== 0 && (first & 0x07) === 0;
  const frame = payload.subarray(i);
  if (!startOfPartition || frame.length < 10 || (frame[0]! & 0x01) !== 0) return undefined;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}

/** The picture size from an H.264 sequence parameter set, sent alone or in a STAP-A aggregate ahead of each IDR frame. */
export function h264KeyframeSize(payload: Buffer): PictureSize | undefined {
  const sps = spsInPayload(payload);
  return sps && h264SpsSize(sps);
}

/** The picture size carried by this RTP packet, when it starts a key frame of a codec Axon reads. */
export function keyframeSize(mimeType: string, packet: Buffer): PictureSize | undefined {
  const payload = rtpPayload(packet);
  if (!payload) return undefined;
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return vp8KeyframeSize(payload);
    case 'video/h264':
      return h264KeyframeSize(payload);
    default:
      return undefined;
  }
}
