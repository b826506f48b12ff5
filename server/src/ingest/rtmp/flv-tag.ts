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

const AVC_NALU = 1;

/**
 * The presentation time of an H.264 frame's video tag: the tag's decoding timestamp plus the composition
 * time offset its AVC packet carries (signed, 24 bits). Undefined for anything but an H.264 frame (a
 * sequence header, another codec).
 */
export function avcFramePtsMs(tag: FlvTag): number | undefined {
  const { body } = tag;
  if (tag.type !== TAG_VIDEO || body.length < 5 || (body[0]! & 0x0f) !== VIDEO_AVC || body[1] !== AVC_NALU) return undefined;
  return tag.timeMs + body.readIntBE(2, 3);
}

/** Whether a video tag carries a keyframe (frame type 1 in its first nibble). */
export const isKeyframeTag = (tag: FlvTag) => tag.type === TAG_VIDEO && tag.body.length > 0 && tag.body[0]! >> 4 === 1;
