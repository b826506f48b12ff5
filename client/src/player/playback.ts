import type { PublicLivestream } from '../../../shared/livestream.js';
import type { Emitter } from '../emitter.js';
import type { PlaybackEngine } from './playback-engine.js';

export type PlaybackState =
  | 'loading'
  | 'offline'
  | 'connecting'
  | 'playing'
  | 'ended'
  | 'not-found'
  | 'recording-not-found'
  | 'unsupported';

export interface PlaybackEvents {
  state: [PlaybackState];
  info: [PublicLivestream];
  /** A new engine instance (or null when playback stopped). */
  engine: [PlaybackEngine | null];
  /** Something the viewer should know about playback, e.g. that real-time playback fell back to HLS. */
  note: [message: string];
}

/**
 * A playback lifecycle: what a player page drives, a livestream's live playback or the replay of one of
 * its recordings. It decides which engine runs when; the engine plays.
 */
export interface Playback {
  readonly events: Emitter<PlaybackEvents>;
  readonly currentState: PlaybackState;
  readonly currentEngine: PlaybackEngine | null;
  start(): void;
  destroy(): void;
}
