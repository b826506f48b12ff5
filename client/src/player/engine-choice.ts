import { manifestPath } from '../../../shared/public-paths.js';
import type { EngineKind, PlaybackEngine } from './playback-engine.js';

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

type EngineClass = new (video: HTMLVideoElement, url: string) => PlaybackEngine;

/** Each engine in a chunk of its own: a page loads only the one the browser needs (hls.js and dash.js are large). */
const engines: Record<EngineKind, () => Promise<EngineClass>> = {
  hls: async () => (await import('./hls-engine.js')).HlsEngine,
  dash: async () => (await import('./dash-engine.js')).DashEngine,
  native: async () => (await import('./native-engine.js')).NativeEngine,
  whep: async () => (await import('./whep-engine.js')).WhepEngine,
};

export async function createEngine(kind: EngineKind, video: HTMLVideoElement, url: string): Promise<PlaybackEngine> {
  const Engine = await engines[kind]();
  return new Engine(video, url);
}
