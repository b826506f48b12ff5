import { SEGMENT_DURATION_S } from '../../../shared/constants.js';

/** LL-HLS parts (and LL-DASH chunks) are at most this long: Apple's guidance for 2 s segments is 0.3–0.5 s. */
const MAX_PART_S = 0.5;

/**
 * Frames in one part: the largest divisor of the keyframe interval whose duration is at most MAX_PART_S,
 * so every segment holds a whole number of equal parts and each part a whole number of frames
 * (15 at 30 fps, 10 at 25 fps, 30 at 60 fps).
 */
export function partFrames(fps: number): number {
  const gop = fps * SEGMENT_DURATION_S;
  for (let frames = Math.floor(fps * MAX_PART_S); frames > 1; frames--) if (gop % frames === 0) return frames;
  return 1;
}

/** A part's duration in seconds at this frame rate. */
export const partDurationS = (fps: number) => partFrames(fps) / fps;
