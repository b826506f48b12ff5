import type { RecordingList } from '../../../shared/recording.js';
import { Emitter } from '../emitter.js';
import { recordingOfEndedBroadcast } from './dvr.js';
import type { Playback, PlaybackEvents, PlaybackState } from './playback.js';
import type { PlaybackEngine } from './playback-engine.js';

export interface PlayerControllerEvents extends PlaybackEvents {
  /** The player page of the replay of the broadcast that just ended, once its recording exists. */
  replay: [playerUrl: string];
}

export interface PlayerControllerOptions {
  livestreamId: string;
  /** Where the livestream's recordings are read, to offer the replay of a live broadcast that ended; null for a replay. */
  recordings: ((livestreamId: string) => Promise<RecordingList>) | null;
}

/**
 * What a player page controls: one playback (live or replay), the rung the viewer picks, the latency it
 * reads out, and, when a live broadcast ends, the offer of its replay.
 */
export class PlayerController {
  readonly events = new Emitter<PlayerControllerEvents>();
  /** The recordings there were while live: the one that appears after the end is this broadcast's replay. */
  private knownWhileLive: Promise<Set<string> | null> = Promise.resolve(null);

  constructor(
    private readonly playback: Playback,
    private readonly options: PlayerControllerOptions,
  ) {
    playback.events.on('state', (state) => this.onState(state));
    playback.events.on('info', (info) => this.events.emit('info', info));
    playback.events.on('note', (message) => this.events.emit('note', message));
    playback.events.on('engine', (engine) => this.events.emit('engine', engine));
  }

  get state(): PlaybackState {
    return this.playback.currentState;
  }

  get engine(): PlaybackEngine | null {
    return this.playback.currentEngine;
  }

  start(): void {
    this.playback.start();
  }

  destroy(): void {
    this.playback.destroy();
    this.events.clear();
  }

  /** Pins a rung, or goes back to automatic selection with null. */
  selectLevel(id: string | null): void {
    this.playback.currentEngine?.selectLevel(id);
  }

  /** How far behind live the frame on screen is; null unless playing and known. */
  latencySeconds(nowMs: number): number | null {
    return this.state === 'playing' ? (this.engine?.latencySeconds(nowMs) ?? null) : null;
  }

  private onState(state: PlaybackState): void {
    this.events.emit('state', state);
    const recordings = this.options.recordings;
    if (!recordings) return;
    if (state === 'connecting') {
      this.knownWhileLive = recordings(this.options.livestreamId).then(
        (list) => new Set(list.items.map((r) => r.id)),
        () => null,
      );
    } else if (state === 'ended') void this.offerReplay(recordings);
  }

  private async offerReplay(recordings: (livestreamId: string) => Promise<RecordingList>): Promise<void> {
    const before = await this.knownWhileLive;
    const after = before && (await recordings(this.options.livestreamId).catch(() => null));
    const recording = before && after && recordingOfEndedBroadcast(before, after.items);
    if (!recording || this.state !== 'ended') return;
    this.events.emit('replay', recording.playerUrl);
  }
}
