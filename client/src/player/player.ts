import type Hls from 'hls.js';
import type { MediaPlayerClass } from 'dashjs';
import { manifestPath } from '../../../shared/public-paths.js';
import type { Emitter } from '../emitter.js';

export type EngineKind = 'hls' | 'dash' | 'native' | 'whep';

/** One rung of the ladder as the player sees it. `id` is engine-specific (hls.js level index, DASH Representation id). */
export interface QualityLevel {
  id: string;
  height: number;
  bitrate: number;
}

export interface PlayerEvents {
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

/** One playback of one manifest on one <video>. Engines: hls.js, dash.js, the browser's native HLS. */
export interface Player {
  readonly kind: EngineKind;
  readonly events: Emitter<PlayerEvents>;
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

export type StreamFormat = 'hls' | 'dash' | 'webrtc';

/**
 * `?format=dash` picks DASH, `?format=hls` forces hls.js, `?format=webrtc` real-time playback (WHEP);
 * anything else leaves the choice to the browser.
 */
export function formatFromQuery(search: string): StreamFormat | null {
  const format = new URLSearchParams(search).get('format');
  return format === 'hls' || format === 'dash' || format === 'webrtc' ? format : null;
}

export interface PlaybackSupport {
  /** Media Source Extensions (or Safari's ManagedMediaSource): hls.js and dash.js can run. */
  mse: boolean;
  /** The <video> element plays HLS by itself (Safari). */
  nativeHls: boolean;
  /** RTCPeerConnection: real-time playback over WHEP can run. */
  webrtc: boolean;
}

/**
 * hls.js where MSE exists, the browser's own HLS where only that exists (Safari on iPhone); dash.js and
 * WHEP on request (HLS where WebRTC is missing).
 */
export function chooseEngine(format: StreamFormat | null, support: PlaybackSupport): EngineKind | null {
  if (format === 'dash') return support.mse ? 'dash' : null;
  if (format === 'webrtc' && support.webrtc) return 'whep';
  if (support.mse) return 'hls';
  return support.nativeHls ? 'native' : null;
}

export function detectPlaybackSupport(video: HTMLVideoElement): PlaybackSupport {
  return {
    mse: typeof MediaSource !== 'undefined' || 'ManagedMediaSource' in window,
    nativeHls: video.canPlayType('application/vnd.apple.mpegurl') !== '',
    webrtc: typeof RTCPeerConnection !== 'undefined',
  };
}

/** The live manifest of a livestream, or the replay manifest of one of its recordings. */
export const manifestUrl = (livestreamId: string, kind: EngineKind, recordingId?: string): string =>
  manifestPath(livestreamId, kind === 'dash' ? 'dash' : 'hls', recordingId);

/** Loads only the engine the browser needs (hls.js and dash.js are large). */
export async function createPlayer(kind: EngineKind, video: HTMLVideoElement, url: string): Promise<Player> {
  switch (kind) {
    case 'hls': {
      const { HlsEngine } = await import('./hls-engine.js');
      return new HlsEngine(video, url);
    }
    case 'dash': {
      const { DashEngine } = await import('./dash-engine.js');
      return new DashEngine(video, url);
    }
    case 'native': {
      const { NativeEngine } = await import('./native-engine.js');
      return new NativeEngine(video, url);
    }
    case 'whep': {
      const { WhepEngine } = await import('./whep-engine.js');
      return new WhepEngine(video, url);
    }
  }
}
