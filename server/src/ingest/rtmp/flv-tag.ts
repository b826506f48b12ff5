/** The parts of an FLV tag (11-byte header, body, 4-byte back-pointer) that Axon reads. */
export interface FlvTag {
  /** 8 audio, 9 video, 18 script data. */
  type: number;
  /** Decoding timestamp in milliseconds (24 bits plus an extension byte). */
  timeMs: number;
  body: Buffer;
}

export const TAG_AUDIO = 8;
export const TAG_VIDEO = 9;
export const TAG_SCRIPT = 18;
const TAG_HEADER_BYTES = 11;

export const VIDEO_AVC = 7;
export const AUDIO_AAC = 10;
export const SEQUENCE_HEADER = 0;

/** Splits a tag into header fields and body; undefined for a tag too short to have a header. */
export function readFlvTag(tag: Buffer): FlvTag | undefined {
  if (tag.length < TAG_HEADER_BYTES) return undefined;
  const size = tag.readUIntBE(1, 3);
  return {
    type: tag[0]!,
    timeMs: ((tag[7]! << 24) | (tag[4]! << 16) | (tag[5]! << 8) | tag[6]!) >>> 0,
    body: tag.subarray(TAG_HEADER_BYTES, TAG_HEADER_BYTES + size),
  };
}
