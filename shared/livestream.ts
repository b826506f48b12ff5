import { z } from 'zod';
import { DVR_WINDOW_MAX_S, DVR_WINDOW_MIN_S, LIVESTREAM_NAME_MAX } from './constants.js';
import type { IngestHealth } from './ingest-health.js';
import type { PublishRefusalCode } from './publish-refusal.js';

export const livestreamIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'invalid livestream id');

const livestreamNameSchema = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(LIVESTREAM_NAME_MAX, `name is longer than ${LIVESTREAM_NAME_MAX} characters`);

/** Seconds of live media a viewer can rewind; overrides the server's AXON_DVR_WINDOW_S for one livestream. */
const dvrWindowSchema = z
  .number()
  .int('dvrWindowS must be a whole number of seconds')
  .min(DVR_WINDOW_MIN_S, `dvrWindowS must be at least ${DVR_WINDOW_MIN_S}`)
  .max(DVR_WINDOW_MAX_S, `dvrWindowS must be at most ${DVR_WINDOW_MAX_S}`);

/**
 * auto: the top rung is the source's own H.264 when it qualifies (measured from the stream), encoded
 * otherwise; encode: always encoded. Overrides the server's AXON_TOP_RUNG for one livestream.
 */
export const TOP_RUNG_SETTINGS = ['auto', 'encode'] as const;
export type TopRungSetting = (typeof TOP_RUNG_SETTINGS)[number];
const topRungSchema = z.enum(TOP_RUNG_SETTINGS, { error: 'topRung must be "auto" or "encode"' });

export const createLivestreamSchema = z
  .object({
    name: livestreamNameSchema,
    record: z.boolean().default(true),
    dvrWindowS: dvrWindowSchema.optional(),
    topRung: topRungSchema.optional(),
  })
  .strict();
export type CreateLivestreamRequest = z.input<typeof createLivestreamSchema>;

// Not createLivestreamSchema.partial(): zod 4 would still apply `record`'s default, so every rename
// would switch recording back on.
export const updateLivestreamSchema = z
  .object({
    name: livestreamNameSchema.optional(),
    record: z.boolean().optional(),
    /** null goes back to the server's window. */
    dvrWindowS: dvrWindowSchema.nullable().optional(),
    /** null goes back to the server's AXON_TOP_RUNG. */
    topRung: topRungSchema.nullable().optional(),
    /** false ends a live broadcast and refuses every publish until true again. */
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update')
  // JSON Schema cannot carry the refinement itself: the OpenAPI document states the same rule this way.
  .meta({ minProperties: 1 });
export type UpdateLivestreamRequest = z.input<typeof updateLivestreamSchema>;

/**
 * offline: nobody publishes. starting: a publisher holds the livestream, its first segments are not ready
 * (players have nothing to open yet). live: playable: the manifests list a segment of every rendition.
 */
export const LIVESTREAM_STATUSES = ['offline', 'starting', 'live'] as const;
export type LivestreamStatus = (typeof LIVESTREAM_STATUSES)[number];

/** What anyone may see of a livestream. */
export interface PublicLivestream {
  id: string;
  name: string;
  status: LivestreamStatus;
  viewers: number;
  createdAt: string;
  playerUrl: string;
  embedHtml: string;
  hlsUrl: string;
  dashUrl: string;
  /**
   * The newest frame of the top rung as a JPEG: refreshed every few seconds while live, the last one kept after
   * the end; null before the first broadcast. A new picture gets a new URL (its version is in the query).
   */
  thumbnailUrl: string | null;
}

/** The full resource, for the owner (API token) only. */
export interface Livestream extends PublicLivestream {
  streamKey: string;
  record: boolean;
  /** This livestream's DVR window in seconds; null: the server's AXON_DVR_WINDOW_S. Read when a broadcast starts. */
  dvrWindowS: number | null;
  /** Whether the top rung may be the source's own video; null: the server's AXON_TOP_RUNG. Read when a broadcast starts. */
  topRung: TopRungSetting | null;
  /** false: the livestream refuses every publish (the owner disabled it). */
  enabled: boolean;
  rtmpUrl: string;
  /** OBS "Server" for RTMPS; null when this server has no certificate (AXON_TLS_CERT) and so no RTMPS. */
  rtmpsUrl: string | null;
  whipUrl: string;
  /** The ingest as measured while a broadcast of this server is live; absent otherwise. */
  health?: IngestHealth;
}

export interface LivestreamList {
  items: Livestream[];
  nextCursor: string | null;
}

export interface ApiError {
  error: string;
  /** Present when a publish is refused (WHIP). */
  code?: PublishRefusalCode;
}

export const LIVESTREAM_PAGE_MAX = 100;

/** Query of `GET /api/livestreams`. The cursor is opaque: pass back the `nextCursor` of the previous page. */
export const listLivestreamsQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(LIVESTREAM_PAGE_MAX).default(20),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ListLivestreamsQuery = z.input<typeof listLivestreamsQuerySchema>;
