import { z } from 'zod';
import { LIVESTREAM_NAME_MAX } from './constants.js';

export const livestreamIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'invalid livestream id');

export const createLivestreamSchema = z
  .object({
    name: z.string().trim().min(1, 'name must not be empty').max(LIVESTREAM_NAME_MAX, `name is longer than ${LIVESTREAM_NAME_MAX} characters`),
    record: z.boolean().default(true),
  })
  .strict();
export type CreateLivestreamRequest = z.input<typeof createLivestreamSchema>;

export const updateLivestreamSchema = createLivestreamSchema
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateLivestreamRequest = z.input<typeof updateLivestreamSchema>;

export type LivestreamStatus = 'offline' | 'live';

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
}

/** The full resource, for the owner (API token) only. */
export interface Livestream extends PublicLivestream {
  streamKey: string;
  record: boolean;
  rtmpUrl: string;
  whipUrl: string;
}

export interface LivestreamList {
  items: Livestream[];
  nextCursor: string | null;
}

export interface ApiError {
  error: string;
}
