import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { EdgePlaylist, EdgePosition } from '../packager/live-edge.js';
import { answered, type EdgeHandler, waitOnEdge } from './edge-wait.js';
import type { MediaType } from './media-types.js';

const count = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** The LL-HLS delivery directives (RFC 8216bis 6.2.5); other query parameters are none of Axon's business. */
const directivesSchema = z
  .object({ _HLS_msn: count.optional(), _HLS_part: count.optional(), _HLS_skip: z.enum(['YES', 'v2']).optional() })
  .refine((q) => q._HLS_part === undefined || q._HLS_msn !== undefined, { message: '_HLS_part needs _HLS_msn' });

type Directives = z.infer<typeof directivesSchema>;

/** A blocking request may ask for at most this many segments beyond the newest one (RFC 8216bis 6.2.5.2). */
const MAX_SEGMENTS_AHEAD = 2;
/** How long a blocking request is held, in target durations, before the server gives up (RFC 8216bis 6.2.5.2). */
const HOLD_TARGET_DURATIONS = 3;
/**
 * An answer to a blocking request holds at least what it asked for and never changes meaning for that
 * query (media sequence numbers keep rising across broadcasts: firstMediaSequence), so an edge may keep
 * it; players ask for a later part next.
 */
const BLOCKING_CACHE = 'public, max-age=6';

/** The playlist contains the segment, or the part, a blocking request waits for. */
export function hasArrived(position: EdgePosition, msn: number, part: number | undefined): boolean {
  if (msn <= position.completeMsn) return true;
  return part !== undefined && msn === position.lastMsn && position.lastPart !== undefined && position.lastPart >= part;
}

/** Too far ahead to wait for: the player's idea of the stream is wrong. */
export const isTooFarAhead = (position: EdgePosition, msn: number) => msn > position.lastMsn + MAX_SEGMENTS_AHEAD;

/**
 * A live media playlist from the live edge: at once without directives, held with `_HLS_msn` (and
 * `_HLS_part`) until that segment (part) is in it, a delta update with `_HLS_skip`. Before the first
 * segment is complete, a request without directives is held until it is: hls.js and standard players
 * refuse a playlist of parts alone, while an LL-HLS player asking for a part already out (`_HLS_msn=0`
 * always is) gets the parts at once. False when the broadcast ended while the request was held: the playlist on disk
 * answers it then.
 */
export const servePlaylistFromEdge: EdgeHandler = async (request, reply, edge, name, type) => {
  const current = edge.playlist(name);
  if (!current) return false;
  const parsed = directivesSchema.safeParse(request.query);
  if (!parsed.success) return answered(reply.code(400).send({ error: `invalid delivery directive: ${parsed.error.issues[0]?.message ?? 'bad value'}` }));
  const d: Directives = parsed.data;
  const { _HLS_msn: msn, _HLS_part: part } = d;
  if (msn === undefined && current.listsSegment) return answered(sendPlaylist(reply, current, d, type));
  if (msn !== undefined && isTooFarAhead(current.position, msn)) {
    return answered(reply.code(400).send({ error: 'the requested segment is too far ahead of the live edge' }));
  }

  const arrived = (p: EdgePlaylist) => (msn === undefined ? p.listsSegment : hasArrived(p.position, msn, part));
  const waited = await waitOnEdge(reply, edge, HOLD_TARGET_DURATIONS * current.targetDurationS * 1000, () => {
    const playlist = edge.playlist(name);
    return playlist && arrived(playlist) ? playlist : undefined;
  });
  if ('ready' in waited) return answered(sendPlaylist(reply, waited.ready, d, msn === undefined ? type : { ...type, cacheControl: BLOCKING_CACHE }));
  if (waited.outcome === 'closed') return false;
  return answered(reply.code(503).header('Cache-Control', 'no-store').header('Retry-After', '1').send({ error: 'the requested part did not arrive in time' }));
};

function sendPlaylist(reply: FastifyReply, playlist: EdgePlaylist, d: Directives, type: MediaType): FastifyReply {
  return reply
    .header('Content-Type', type.contentType)
    .header('Cache-Control', type.cacheControl)
    .send(d._HLS_skip ? playlist.delta : playlist.full);
}
