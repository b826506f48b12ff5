import Hls, { ErrorDetails, ErrorTypes, Events, type ErrorData, type HlsConfig } from 'hls.js';
import { Emitter } from '../emitter.js';
import { latencyFromFrameTime } from './latency.js';
import type { EngineEvents, LiveDvr, PlaybackEngine, QualityLevel } from './playback-engine.js';

/**
 * LL-HLS: hls.js loads parts and reloads playlists by blocking requests, and plays PART-HOLD-BACK behind
 * the newest part (about 1.6 s with Axon's 0.5 s parts), speeding up gently (1.2x at most) when it drifts
 * behind. No liveSyncDuration: one set by the page would override the playlist's PART-HOLD-BACK. A
 * playlist without parts (another server's) plays as standard HLS, 3 target durations behind.
 */
export const HLS_CONFIG: Partial<HlsConfig> = {
  lowLatencyMode: true,
  maxLiveSyncPlaybackRate: 1.2,
  backBufferLength: 30,
};

/**
 * Further behind than this, hls.js jumps forward to live. Set on the instance, not in HLS_CONFIG: hls.js
 * refuses a configured maximum without a configured liveSyncDuration.
 */
export const LIVE_MAX_LATENCY_S = 8;

/** Fatal network errors after hls.js's own retries: how many times to restart loading before giving up. */
const MAX_LOAD_RESTARTS = 3;
/** A second media error this soon after recovering from one means recovery does not help. */
const MEDIA_RECOVERY_WINDOW_MS = 5000;

const manifestErrors: ReadonlySet<string> = new Set([
  ErrorDetails.MANIFEST_LOAD_ERROR,
  ErrorDetails.MANIFEST_LOAD_TIMEOUT,
  ErrorDetails.MANIFEST_PARSING_ERROR,
]);

export class HlsEngine implements PlaybackEngine {
  readonly kind = 'hls';
  readonly events = new Emitter<EngineEvents>();
  readonly library: { hls: Hls };
  private readonly hls: Hls;
  private loadRestarts = 0;
  private lastMediaRecoveryMs = -Infinity;
  private ended = false;
  private started = false;
  readonly dvr: LiveDvr = {
    window: () => {
      const details = this.hls.latestLevelDetails;
      return details?.live ? { start: details.fragmentStart, end: details.edge } : null;
    },
    livePosition: () => this.hls.liveSyncPosition,
    // Past liveMaxLatencyDuration hls.js jumps back to live: not while the viewer watches the past.
    followLive: (on) => {
      this.hls.config.liveMaxLatencyDuration = on ? LIVE_MAX_LATENCY_S : Infinity;
    },
  };

  constructor(
    private readonly video: HTMLVideoElement,
    url: string,
  ) {
    const hls = new Hls(HLS_CONFIG);
    hls.config.liveMaxLatencyDuration = LIVE_MAX_LATENCY_S;
    this.hls = hls;
    this.library = { hls };
    // hls.js seeks to where it starts (PART-HOLD-BACK behind the live edge) once its first fragment is
    // buffered. An autoplaying video would already play that fragment's first frame, and the seek would
    // stall it at once: a viewer who joins at go-live, whose first fragment starts at 0 where the video
    // stands, saw that rebuffer. So playback starts only after the seek (autoplay back on for the
    // reattachments of a media error recovery).
    video.autoplay = false;
    hls.on(Events.MANIFEST_PARSED, () => this.events.emit('levels', this.levels()));
    hls.on(Events.FRAG_BUFFERED, () => {
      if (this.started || !hls.hasEnoughToStart) return;
      this.started = true;
      video.autoplay = true;
      video.play().catch((err: unknown) => {
        // Autoplay refused: the page's play control takes over. Interrupted (a new load or a media
        // recovery came first): the next buffered fragment tries again, or the player would stay paused.
        if ((err as { name?: unknown } | null)?.name !== 'NotAllowedError') this.started = false;
      });
    });
    hls.on(Events.LEVEL_SWITCHED, () => this.events.emit('levelSwitched', this.currentLevel()));
    hls.on(Events.LEVEL_LOADED, (_event, data) => {
      if (!data.details.live && !this.ended) {
        this.ended = true;
        this.events.emit('ended');
      }
    });
    hls.on(Events.FRAG_LOADED, () => {
      this.loadRestarts = 0;
    });
    hls.on(Events.ERROR, (_event, data) => this.onError(data));
    hls.loadSource(url);
    hls.attachMedia(video);
  }

  levels(): QualityLevel[] {
    return this.hls.levels.map((level, index) => ({ id: String(index), height: level.height, bitrate: level.bitrate }));
  }

  selectLevel(id: string | null): void {
    if (id === null) {
      // Back to ABR from the next segment on, without dropping what is buffered.
      this.hls.nextLevel = -1;
      return;
    }
    // Immediate: flushes the buffer so the chosen rung shows at once.
    this.hls.currentLevel = Number(id);
  }

  currentLevel(): QualityLevel | null {
    return this.levels()[this.hls.currentLevel] ?? null;
  }

  latencySeconds(nowMs: number): number | null {
    return latencyFromFrameTime(nowMs, this.hls.playingDate?.getTime());
  }

  destroy(): void {
    this.events.clear();
    this.hls.destroy();
    this.video.autoplay = true;
  }

  private onError(data: ErrorData): void {
    if (!data.fatal) return;
    if (data.type === ErrorTypes.NETWORK_ERROR) {
      // A missing manifest means the broadcast is not (or no longer) there: the owner re-checks and starts over.
      if (manifestErrors.has(data.details) || this.loadRestarts >= MAX_LOAD_RESTARTS) {
        this.events.emit('failed', `network: ${data.details}`);
        return;
      }
      this.loadRestarts += 1;
      this.hls.startLoad();
      return;
    }
    if (data.type === ErrorTypes.MEDIA_ERROR) {
      const now = performance.now();
      if (now - this.lastMediaRecoveryMs < MEDIA_RECOVERY_WINDOW_MS) {
        this.events.emit('failed', `media: ${data.details}`);
        return;
      }
      this.lastMediaRecoveryMs = now;
      this.hls.recoverMediaError();
      return;
    }
    this.events.emit('failed', `${data.type}: ${data.details}`);
  }
}
