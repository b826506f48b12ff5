import type { Recording } from '../../../shared/recording.js';

/** A seek that lands closer than this to the live position counts as going back to live. */
export const AT_LIVE_S = 8;

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const [hours, minutes, seconds] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** What the DVR readout says: LIVE while following live, else how far behind live ("-0:20"). */
export function behindLiveText(following: boolean, behindS: number): string {
  return following ? 'LIVE' : `-${formatClock(behindS)}`;
}

/** A seek to `target` returns to live when it lands within AT_LIVE_S of the live position. */
export function seeksToLive(target: number, livePosition: number): boolean {
  return livePosition - target < AT_LIVE_S;
}

/**
 * The recording of the broadcast that just ended: the newest one that was not there while it was live.
 * Null when that broadcast was not recorded.
 */
export function recordingOfEndedBroadcast(knownWhileLive: ReadonlySet<string>, now: readonly Recording[]): Recording | null {
  const newest = now[0];
  return newest && !knownWhileLive.has(newest.id) ? newest : null;
}
