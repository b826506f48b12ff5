import type { QualityLevel } from './playback-engine.js';

/**
 * The rung on screen for an engine that does not see the ladder (the browser's HLS, WebRTC): what the
 * <video> shows, with no bitrate to tell; null before the first frame.
 */
export function videoLevel(video: HTMLVideoElement, id: string): QualityLevel | null {
  const height = video.videoHeight;
  return height > 0 ? { id, height, bitrate: 0 } : null;
}
