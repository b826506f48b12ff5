export interface MediaType {
  contentType: string;
  cacheControl: string;
}

/** Playlists and manifests change every segment: players must refetch them within a second. */
const LIVE_INDEX = 'public, max-age=1';
/** Segment names are never reused (they carry the broadcast id and sequence number). */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const playlist: MediaType = { contentType: 'application/vnd.apple.mpegurl', cacheControl: LIVE_INDEX };
const manifest: MediaType = { contentType: 'application/dash+xml', cacheControl: LIVE_INDEX };
const initSegment: MediaType = { contentType: 'video/mp4', cacheControl: IMMUTABLE };
const mediaSegment: MediaType = { contentType: 'video/iso.segment', cacheControl: IMMUTABLE };

/** How the origin serves a file, by its name; undefined for anything that is not part of a stream. */
export function mediaTypeOf(fileName: string): MediaType | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot === -1) return undefined;
  switch (fileName.slice(dot + 1)) {
    case 'm3u8':
      return playlist;
    case 'mpd':
      return manifest;
    case 'mp4':
      return initSegment;
    case 'm4s':
      return fileName.startsWith('init-') ? initSegment : mediaSegment;
    default:
      return undefined;
  }
}
