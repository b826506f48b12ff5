import type Hls from 'hls.js';
import type { MediaPlayerClass } from 'dashjs';
import type { Emitter } from '../emitter.js';

export type EngineKind = 'hls' | 'dash' | 'native' | 'whep';

/** One rung of the ladder as the player sees it. `id` is engine-specific (hls.js level index, DASH Representation id). */
export interface QualityLevel {
  id: string;
  height: number;
  bitrate: number;
}

export interface EngineEvents {
  /** The rungs the stream offers (empty when the engine cannot switch, e.g. native HLS). */
  levels: [QualityLevel[]];
  /** The rung now being played. */
  levelSwitched: [QualityLevel | null];
  /** The broadcast ended (HLS EXT-X-ENDLIST, DASH MPD turned static, or native playback ended). */
  ended: [];
  /** Playback cannot go on with this engine instance; the owner decides whether to start over. */
  failed: [reason: string];
}

/** The part of a live broadcast a viewer can seek within, in the <video>'s time (seconds). */
export interface LiveWindow {
  start: number;
  end: number;
}

/** Seeking back within a live broadcast's DVR window, and returning to live. */
export interface LiveDvr {
  /** The seekable window; null before the first playlist, or when the stream is not live. */
  window(): LiveWindow | null;
  /** Where playback sits when it follows live (the live edge minus the engine's target delay). */
  livePosition(): number | null;
  /**
   * Following live, the engine keeps playback near the edge (it jumps forward when it falls behind);
   * off while the viewer watches the past, so that it stays where they sought.
   */
  followLive(on: boolean): void;
}

/**
 * One engine playing one stream on one <video>: hls.js, dash.js, the browser's native HLS, or WHEP. It plays
 * and reports; whether to start over, fall back or stop is its owner's (a Playback's) decision.
 */
export interface PlaybackEngine {
  readonly kind: EngineKind;
  readonly events: Emitter<EngineEvents>;
  levels(): QualityLevel[];
  /** Pins a rung, or goes back to automatic selection with null. */
  selectLevel(id: string | null): void;
  currentLevel(): QualityLevel | null;
  /** Seconds between now and the wall-clock time of the frame on screen, or null when unknown. */
  latencySeconds(nowMs: number): number | null;
  /** Absent where the engine cannot seek within a live window. */
  readonly dvr?: LiveDvr;
  /** The library instance behind the engine, for tests and benchmarks. */
  readonly library: { hls?: Hls; dash?: MediaPlayerClass; pc?: RTCPeerConnection };
  destroy(): void;
}

