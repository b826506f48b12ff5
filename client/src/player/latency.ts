/**
 * Seconds behind live: now minus the wall-clock time of the frame on screen (the PROGRAM-DATE-TIME
 * of its segment plus the offset into it). Null when the stream carries no such time. A small negative
 * value only means the viewer's clock runs behind the server's, so it reads as zero.
 */
export function latencyFromFrameTime(nowMs: number, frameTimeMs: number | null | undefined): number | null {
  if (frameTimeMs === null || frameTimeMs === undefined || !Number.isFinite(frameTimeMs)) return null;
  return Math.max(0, (nowMs - frameTimeMs) / 1000);
}

/** dash.js reports NaN (not live, not started) or exactly 0 (no frame yet) when it has no latency. */
export function latencyFromDash(seconds: number): number | null {
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

export function formatLatency(seconds: number | null): string {
  return seconds === null ? 'Latency —' : `${seconds.toFixed(1)} s behind live`;
}
