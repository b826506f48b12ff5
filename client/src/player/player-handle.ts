import type Hls from 'hls.js';
import type { MediaPlayerClass } from 'dashjs';
import type { EngineKind, PlaybackEngine } from './playback-engine.js';

/** What tests and benchmarks read from a player page: the engine, its library instance and the <video>. */
export interface AxonPlayerHandle {
  engine: EngineKind;
  hls?: Hls;
  dash?: MediaPlayerClass;
  /** The WHEP engine's connection (real-time playback). */
  pc?: RTCPeerConnection;
  video: HTMLVideoElement;
}

declare global {
  interface Window {
    __axonPlayer?: AxonPlayerHandle;
  }
}

export function exposePlayer(engine: PlaybackEngine | null, video: HTMLVideoElement): void {
  window.__axonPlayer = engine ? { engine: engine.kind, ...engine.library, video } : undefined;
}
