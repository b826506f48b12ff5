import { Emitter } from '../emitter.js';
import type { LivePlayerEvents, PlayerState } from './live-player.js';
import type { Playback } from './player-view.js';
import type { EngineKind, Player } from './player.js';

/**
 * What live and replay playback have in common: one engine at a time on the <video>, the state the view
 * shows, and nothing to start where the browser has no engine for the stream.
 */
export abstract class EnginePlayback implements Playback {
  readonly events = new Emitter<LivePlayerEvents>();
  protected state: PlayerState = 'loading';
  protected player: Player | null = null;
  protected destroyed = false;
  private readonly onPlaying = () => this.playing();

  constructor(
    protected readonly video: HTMLVideoElement,
    /** Null: the browser has no engine for the stream. */
    protected kind: EngineKind | null,
  ) {}

  get currentState(): PlayerState {
    return this.state;
  }

  get currentPlayer(): Player | null {
    return this.player;
  }

  start(): void {
    if (!this.kind) {
      this.setState('unsupported');
      return;
    }
    this.video.addEventListener('playing', this.onPlaying);
    this.begin(this.kind);
  }

  destroy(): void {
    this.destroyed = true;
    this.video.removeEventListener('playing', this.onPlaying);
    this.stopPlayback();
    this.events.clear();
  }

  /** Starts playback with the engine the browser has. */
  protected abstract begin(kind: EngineKind): void;

  /** The <video> shows frames. */
  protected abstract playing(): void;

  protected stopPlayback(): void {
    if (!this.player) return;
    this.player.destroy();
    this.player = null;
    this.events.emit('player', null);
  }

  protected setState(state: PlayerState): void {
    if (state === this.state) return;
    this.state = state;
    this.events.emit('state', state);
  }
}
