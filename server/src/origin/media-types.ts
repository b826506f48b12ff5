import { type MediaFileKind, mediaFileKind } from '../media/media-layout.js';

export interface MediaType {
  contentType: string;
  cacheControl: string;
}

/** Playlists and manifests change every segment: players must refetch them within a second. */
const LIVE_INDEX = 'public, max-age=1';
/**
 * A thumbnail is rewritten in place every few seconds while live; the API's URL for it carries its version,
 * so a short max-age only spares the origin, and a stale copy is at most this old.
 */
const THUMBNAIL = 'public, max-age=5';
/** Segment names are never reused (they carry the broadcast id and sequence number). */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const TYPES: Record<MediaFileKind, MediaType> = {
  playlist: { contentType: 'application/vnd.apple.mpegurl', cacheControl: LIVE_INDEX },
  'dash-manifest': { contentType: 'application/dash+xml', cacheControl: LIVE_INDEX },
  'init-segment': { contentType: 'video/mp4', cacheControl: IMMUTABLE },
  'media-segment': { contentType: 'video/iso.segment', cacheControl: IMMUTABLE },
  thumbnail: { contentType: 'image/jpeg', cacheControl: THUMBNAIL },
};

/** How the origin serves a file, by its name; undefined for anything that is not part of a stream. */
export function mediaTypeOf(fileName: string): MediaType | undefined {
  const kind = mediaFileKind(fileName);
  return kind && TYPES[kind];
}
