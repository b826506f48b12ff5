/**
 * A declared source rate below this is not taken for the ladder's: it is more often a wrong field than a
 * camera (and a camera starting in the dark speeds up later), while the ladder keeps its rate for the
 * whole broadcast. Such a source is encoded at the configured rate, its frames repeated.
 */
const MIN_SOURCE_FPS = 10;

/**
 * The ladder's frame rate for a source: the configured rate, capped at the source's as its publisher
 * declares it (RTMP's onMetaData, the studio's camera settings), rounded to whole frames so that the 2 s
 * GOP is a whole number of them (29.97 -> 30, 23.976 -> 24). Encoding a 25 fps source at 30 repeats every
 * fifth frame (judder, and bits and CPU for nothing) and keeps its top rung from being copied. The
 * declaration is trusted no further: a source that then runs at another rate is encoded at the ladder's
 * (the top-rung and layers verdicts measure it), and the ladder is never planned again mid-broadcast.
 */
export function ladderFps(configured: number, declared: number | undefined): number {
  if (declared === undefined || !Number.isFinite(declared)) return configured;
  const whole = Math.round(declared);
  return whole >= MIN_SOURCE_FPS && whole < configured ? whole : configured;
}
