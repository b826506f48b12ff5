/**
 * A declared source rate below this is not taken for the ladder's: it is more often a wrong field than a
 * camera (and a camera starting in the dark speeds up later), while the ladder keeps its rate for the
 * whole broadcast. Such a source is encoded at the configured rate, its frames repeated.
 */
const MIN_SOURCE_FPS = 10;
/**
 * A faster source is divided down to a whole fraction of its rate (every 2nd frame of 50 fps: 25) only while
 * that keeps at least this share of the configured rate; below it the configured rate's uneven drops cost
 * less smoothness than the lost frames would (30 fps under a cap of 25 stays 25, not 15).
 */
const MIN_DIVIDED_SHARE = 0.75;

/**
 * The ladder's frame rate for a source: the configured rate, capped at the source's as its publisher
 * declares it (RTMP's onMetaData, the studio's camera settings), rounded to whole frames so that the 2 s
 * GOP is a whole number of them (29.97 -> 30, 23.976 -> 24). Encoding a 25 fps source at 30 repeats every
 * fifth frame (judder, and bits and CPU for nothing) and keeps its top rung from being copied; a source
 * faster than the cap keeps every k-th frame where that is a whole rate (50 -> 25 under a cap of 30, where
 * 30 would drop two frames in five unevenly; 60 -> 30). The declaration is trusted no further: a source that
 * then runs at another rate is encoded at the ladder's (the top-rung and layers verdicts measure it), and the
 * ladder is never planned again mid-broadcast.
 */
export function ladderFps(configured: number, declared: number | undefined): number {
  if (declared === undefined || !Number.isFinite(declared)) return configured;
  const whole = Math.round(declared);
  if (whole < MIN_SOURCE_FPS) return configured;
  if (whole <= configured) return whole;
  const every = Math.ceil(whole / configured);
  const divided = whole / every;
  return Number.isInteger(divided) && divided >= configured * MIN_DIVIDED_SHARE ? divided : configured;
}
