import { getPublicLivestream } from '../api.js';
import { Emitter } from '../emitter.js';
import type { LivePlayerEvents, PlayerState } from './live-player.js';
import { chooseEngine, createPlayer, detectPlaybackSupport, manifestUrl, type EngineKind, type Player, type StreamFormat } from './player.js';

export interface ReplayPlayerOptions {
  livestreamId: string;
  recordingId: string;
  video: HTMLVideoElement;
  format: StreamFormat | null;
}

/** After an engine gave up, how long to wait before loading the recording again. */
const RETRY_DELAY_MS = 2000;

/** One recording's playback (VOD): loads its manifest once; the viewer seeks and pauses at will. */
export class ReplayPlayer {
  readonly events = new Emitter<LivePlayerEvents>();
  private state: PlayerState = 'loading';
  private player: Player | null = null;
  private readonly kind: EngineKind | null;
  private destroyed = false;
  private readonly onPlaying = () => this.setState('playing');

  constructor(private readonly options: ReplayPlayerOptions) {
    // A recording is HLS or DASH: real-time (WebRTC) playback exists only while live.
    this.kind = chooseEngine(options.format === 'webrtc' ? null : options.format, detectPlaybackSupport(options.video));
  }

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
    this.options.video.addEventListener('playing', this.onPlaying);
    getPublicLivestream(this.options.livestreamId).then(
      (info) => !this.destroyed && this.events.emit('info', info),
      () => undefined,
    );
    void this.load(this.kind);
  }

  destroy(): void {
    this.destroyed = true;
    this.options.video.removeEventListener('playing', this.onPlaying);
    this.stopPlayback();
    this.events.clear();
  }

  private async load(kind: EngineKind): Promise<void> {
    const { livestreamId, recordingId, video } = this.options;
    const url = new URL(manifestUrl(livestreamId, kind, recordingId), location.href).href;
    const found = await fetch(url, { method: 'HEAD', cache: 'no-store' }).then(
      (r) => r.status !== 404,
      () => true,
    );
    if (this.destroyed) return;
    if (!found) {
      this.setState('recording-not-found');
      return;
    }
    let player: Player;
    try {
      player = await createPlayer(kind, video, url);
    } catch (error) {
      this.retry(kind, String(error));
      return;
    }
    if (this.destroyed) {
      player.destroy();
      return;
    }
    this.player = player;
    // An engine's 'ended' means a live broadcast ended; a recording simply stops at its end.
    player.events.on('failed', (reason) => this.retry(kind, reason));
    this.events.emit('player', player);
  }

  private retry(kind: EngineKind, reason: string): void {
    console.warn(`replay failed (${reason}); loading it again`);
    this.stopPlayback();
    this.setState('connecting');
    setTimeout(() => {
      if (!this.destroyed) void this.load(kind);
    }, RETRY_DELAY_MS);
  }

  private stopPlayback(): void {
    if (!this.player) return;
    this.player.destroy();
    this.player = null;
    this.events.emit('player', null);
  }

  private setState(state: PlayerState): void {
    if (state === this.state) return;
    this.state = state;
    this.events.emit('state', state);
  }
}
