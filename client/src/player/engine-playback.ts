import { Emitter } from '../emitter.js';
import type { Playback, PlaybackEvents, PlaybackState } from './playback.js';
import type { EngineKind, PlaybackEngine } from './playback-engine.js';

/**
 * What live and replay playback have in common: one engine at a time on the <video>, the state the view
 * shows, and nothing to start where the browser has no engine for the stream.
 */
export abstract class EnginePlayback implements Playback {
  readonly events = new Emitter<PlaybackEvents>();
  protected state: PlaybackState = 'loading';
  protected engine: PlaybackEngine | null = null;
  protected destroyed = false;
  private readonly onPlaying = () => this.playing();

  constructor(
    protected readonly video: HTMLVideoElement,
    /** Null: the browser has no engine for the stream. */
    protected kind: EngineKind | null,
  ) {}

  get currentState(): PlaybackState {
    return this.state;
  }

  get currentEngine(): PlaybackEngine | null {
    return this.engine;
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
    if (!this.engine) return;
    this.engine.destroy();
    this.engine = null;
    this.events.emit('engine', null);
  }

  protected setState(state: PlaybackState): void {
    if (state === this.state) return;
    this.state = state;
    this.events.emit('state', state);
  }
}
