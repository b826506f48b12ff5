import type { TopRungSetting } from '../../../shared/livestream.js';
import type { TopRungMode, TopRungVerdict } from './top-rung.js';

/** How long a source must qualify without a break before an encoded top rung is copied again. */
export const RETURN_AFTER_MS = 30_000;
/** Each further return waits twice as long, up to this: an encoder that keeps breaking its GOP stays encoded. */
const RETURN_AFTER_MAX_MS = 480_000;

/** The mode a broadcast's top rung is in, and why, in plain words. */
export interface TopRungState {
  mode: TopRungMode;
  reason: string;
}

/**
 * When a broadcast's top rung changes mode. Every change restarts FFmpeg (a discontinuity, and a second or
 * so before the new run's first segment), so the hysteresis is lopsided on purpose: a copied top rung
 * goes back to encoding at the first verdict against it (a missed keyframe boundary already misaligns
 * its segments with the encoded rungs', and waiting only makes more of them), while an encoded one is
 * copied again only after the source has qualified for RETURN_AFTER_MS in a row (15 segments: the
 * meter's whole keyframe window), twice as long after each return, so a flapping encoder settles on
 * encoding after a few changes instead of restarting FFmpeg every half a minute.
 *
 * The first verdict is taken as it is: at go-live only the sequence header and the first GOP are known,
 * and waiting for a keyframe interval would delay every broadcast; a source that misses its first
 * boundary is switched 2 s in.
 */
export class TopRungPolicy {
  private current: TopRungState;
  private qualifiedSinceMs: number | null = null;
  private returnAfterMs = RETURN_AFTER_MS;

  constructor(
    private readonly setting: TopRungSetting,
    first: TopRungVerdict,
    nowMs: number,
  ) {
    if (setting === 'encode') this.current = { mode: 'encode', reason: 'the top rung is set to encode (AXON_TOP_RUNG or the livestream topRung)' };
    else this.current = { mode: first.qualifies ? 'copy' : 'encode', reason: first.reason };
    if (first.qualifies) this.qualifiedSinceMs = nowMs;
  }

  get state(): TopRungState {
    return this.current;
  }

  /** Takes the latest verdict; returns the new state when the mode changes. */
  observe(verdict: TopRungVerdict, nowMs: number): TopRungState | undefined {
    if (this.setting === 'encode') return undefined;
    if (!verdict.qualifies) {
      this.qualifiedSinceMs = null;
      const changed = this.current.mode === 'copy';
      this.current = { mode: 'encode', reason: verdict.reason };
      return changed ? this.current : undefined;
    }
    this.qualifiedSinceMs ??= nowMs;
    if (this.current.mode === 'copy') {
      this.current = { mode: 'copy', reason: verdict.reason };
      return undefined;
    }
    const waitedMs = nowMs - this.qualifiedSinceMs;
    if (waitedMs < this.returnAfterMs) {
      const leftS = Math.ceil((this.returnAfterMs - waitedMs) / 1000);
      this.current = { mode: 'encode', reason: `${verdict.reason} again; copied again if that still holds in ${leftS} s` };
      return undefined;
    }
    this.returnAfterMs = Math.min(this.returnAfterMs * 2, RETURN_AFTER_MAX_MS);
    this.current = { mode: 'copy', reason: verdict.reason };
    return this.current;
  }
}
