import type { LivestreamStatus } from '../../../shared/livestream.js';
import { whepPath } from '../../../shared/public-paths.js';
import { ApiError, getPublicLivestream } from '../api.js';
import { EnginePlayback } from './engine-playback.js';
import { chooseEngine, createEngine, detectPlaybackSupport, manifestUrl, type StreamFormat } from './engine-choice.js';
import type { PlaybackState } from './playback.js';
import type { PlaybackEngine } from './playback-engine.js';

export const STATUS_POLL_MS = 2000;
/** After an engine gave up, how long to wait before starting a fresh one. */
const RESTART_DELAY_MS = 2000;
/** An ended broadcast whose livestream still reads 'live' is retried this often, in case a new one began unseen. */
export const ENDED_RECHECK_MS = 10_000;

export type StatusAction = 'connect' | 'offline' | 'end' | 'note-offline' | 'none';

export interface StatusContext {
  /** Frames were shown in this broadcast (a restart after a failure keeps it). */
  hasPlayed: boolean;
  /** Since the broadcast ended, the API has said 'offline' at least once. */
  offlineSinceEnd: boolean;
  msSinceEnded: number;
}

/** What a status poll means for the playback in a given state: only 'live' is playable, 'starting' waits like 'offline'. */
export function statusAction(state: PlaybackState, status: LivestreamStatus, ctx: StatusContext): StatusAction {
  if (status === 'live') {
    if (state === 'loading' || state === 'offline') return 'connect';
    if (state === 'ended' && (ctx.offlineSinceEnd || ctx.msSinceEnded >= ENDED_RECHECK_MS)) return 'connect';
    return 'none';
  }
  switch (state) {
    case 'loading':
      return 'offline';
    case 'connecting':
      return ctx.hasPlayed ? 'end' : 'offline';
    case 'playing':
      return 'end';
    case 'ended':
      return 'note-offline';
    default:
      return 'none';
  }
}

export interface LivePlaybackOptions {
  livestreamId: string;
  video: HTMLVideoElement;
  format: StreamFormat | null;
}

/**
 * A livestream's playback lifecycle: waits while it is offline, starts an engine when it goes live,
 * restarts one that fails, and notices when the broadcast ends (and when the next one begins).
 */
export class LivePlayback extends EnginePlayback {
  /** Bumped whenever playback is torn down, so stale async work can tell it is stale. */
  private generation = 0;
  private hasPlayed = false;
  private offlineSinceEnd = false;
  private endedAtMs = 0;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: LivePlaybackOptions) {
    // Real-time playback (WHEP) that fails before it plays gives way to HLS: the kind can change later.
    super(options.video, chooseEngine(options.format, detectPlaybackSupport(options.video)));
  }

  override destroy(): void {
    clearTimeout(this.pollTimer);
    super.destroy();
  }

  protected begin(): void {
    void this.poll();
  }

  protected playing(): void {
    if (this.state === 'connecting') {
      this.hasPlayed = true;
      this.setState('playing');
    }
  }

  private async poll(): Promise<void> {
    try {
      const info = await getPublicLivestream(this.options.livestreamId);
      if (this.destroyed) return;
      this.events.emit('info', info);
      this.apply(info.status);
    } catch (error) {
      if (this.destroyed) return;
      if (error instanceof ApiError && error.status === 404) {
        this.stopPlayback();
        this.setState('not-found');
        return;
      }
      // The API is unreachable for now: keep what is playing and ask again.
    }
    this.pollTimer = setTimeout(() => void this.poll(), STATUS_POLL_MS);
  }

  private apply(status: LivestreamStatus): void {
    const action = statusAction(this.state, status, {
      hasPlayed: this.hasPlayed,
      offlineSinceEnd: this.offlineSinceEnd,
      msSinceEnded: Date.now() - this.endedAtMs,
    });
    switch (action) {
      case 'connect':
        this.hasPlayed = false;
        void this.connect();
        break;
      case 'offline':
        this.stopPlayback();
        this.setState('offline');
        break;
      case 'end':
        this.end();
        break;
      case 'note-offline':
        this.offlineSinceEnd = true;
        break;
      case 'none':
        break;
    }
  }

  private async connect(): Promise<void> {
    const kind = this.kind;
    if (!kind) return;
    this.stopPlayback();
    const generation = this.generation;
    this.setState('connecting');
    // Absolute: dash.js resolves some URLs (e.g. for CMCD) with new URL(), which needs a base.
    const path = kind === 'whep' ? whepPath(this.options.livestreamId) : manifestUrl(this.options.livestreamId, kind);
    const url = new URL(path, location.href).href;
    let engine: PlaybackEngine;
    try {
      engine = await createEngine(kind, this.options.video, url);
    } catch (error) {
      // The engine's chunk did not load (e.g. the network blinked, or a deploy replaced it).
      if (generation === this.generation) this.restart(String(error));
      return;
    }
    if (generation !== this.generation || this.destroyed) {
      engine.destroy();
      return;
    }
    this.engine = engine;
    engine.events.on('ended', () => this.end());
    engine.events.on('failed', (reason) => this.restart(reason));
    this.events.emit('engine', engine);
  }

  private end(): void {
    this.stopPlayback();
    this.endedAtMs = Date.now();
    this.offlineSinceEnd = false;
    this.setState('ended');
  }

  private restart(reason: string): void {
    if (this.kind === 'whep' && !this.hasPlayed) {
      this.kind = chooseEngine(null, detectPlaybackSupport(this.options.video));
      this.events.emit('note', `Real-time playback is not available (${reason}); playing HLS instead.`);
      if (!this.kind) this.setState('unsupported');
      else void this.connect();
      return;
    }
    console.warn(`playback failed (${reason}); starting over`);
    this.stopPlayback();
    this.setState('connecting');
    const generation = this.generation;
    setTimeout(() => {
      if (generation === this.generation && !this.destroyed) void this.connect();
    }, RESTART_DELAY_MS);
  }

  protected override stopPlayback(): void {
    this.generation += 1;
    super.stopPlayback();
  }
}
