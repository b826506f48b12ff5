/** Targets one livestream may push to at once: each is one more FFmpeg and one more upload. */
export const RESTREAM_TARGETS_MAX = 10;
export const RESTREAM_NAME_MAX = 100;
export const RESTREAM_URL_MAX = 1024;
export const RESTREAM_KEY_MAX = 512;

/** Ingest URLs of the platforms most streamers push to; the stream key comes from the platform's own dashboard. */
export const RESTREAM_PRESETS = [
  { name: 'YouTube', url: 'rtmp://a.rtmp.youtube.com/live2' },
  { name: 'Twitch', url: 'rtmp://live.twitch.tv/app' },
] as const;

/**
 * idle: no broadcast (or the target is disabled); connecting: FFmpeg is opening the destination or waiting
 * for the source; live: media is flowing; retrying: the last push ended with an error, another follows
 * after a pause; failed: given up for this broadcast (see `reason`).
 */
export const RESTREAM_STATUSES = ['idle', 'connecting', 'live', 'retrying', 'failed'] as const;
export type RestreamStatus = (typeof RESTREAM_STATUSES)[number];

/**
 * Why a push ended: the destination refused the stream key, could not be reached, failed the TLS handshake
 * or its certificate check, dropped a push that was live, or FFmpeg failed for another reason.
 */
export const RESTREAM_FAILURE_CODES = ['refused_key', 'unreachable', 'tls_error', 'disconnected', 'ffmpeg_error'] as const;
export type RestreamFailureCode = (typeof RESTREAM_FAILURE_CODES)[number];

export interface RestreamFailure {
  code: RestreamFailureCode;
  /** In plain words, with FFmpeg's own last line (the stream key replaced by "…"). */
  message: string;
}

/** A restream target as the API shows it: never the whole stream key. */
export interface RestreamTarget {
  id: string;
  livestreamId: string;
  name: string;
  /** rtmp:// or rtmps:// ingest URL, without the key. */
  url: string;
  /** The key's last 4 characters after "…" (the whole key only when it is 8 characters or shorter: none). */
  streamKeyMasked: string;
  enabled: boolean;
  createdAt: string;
  status: RestreamStatus;
  /** Why the target is retrying or failed; null otherwise. */
  reason: RestreamFailure | null;
  /** Video source of the push: the publisher's own stream, or a rung Axon encodes; null when idle. */
  source: 'passthrough' | 'rung' | null;
  /** Bits per second FFmpeg writes to the destination, from its progress; null unless live. */
  bitrateOut: number | null;
  /** Seconds since the push went live; null unless live. */
  uptimeS: number | null;
}

export interface RestreamTargetList {
  items: RestreamTarget[];
}
