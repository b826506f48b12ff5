/**
 * The public URLs of Axon, built here for the server (its routes and the URLs its API hands out) and the
 * client alike. Ids are URL-safe already; encoding them keeps a stray one from escaping its segment.
 */
export const PATHS = {
  /** The origin: a livestream's media, and its recordings' below it. */
  live: '/live',
  watch: '/watch',
  embed: '/embed',
  studio: '/studio',
  whip: '/whip',
  whep: '/whep',
  api: '/api',
} as const;

/** The manifests players open, live and in each recording; every other media file is listed by these. */
export const MANIFEST_NAMES = { hls: 'master.m3u8', dash: 'manifest.mpd' } as const;
export type ManifestFormat = keyof typeof MANIFEST_NAMES;

const under = (prefix: string, id: string) => `${prefix}/${encodeURIComponent(id)}`;

export const watchPath = (livestreamId: string) => under(PATHS.watch, livestreamId);
export const embedPath = (livestreamId: string) => under(PATHS.embed, livestreamId);
export const studioPath = (livestreamId: string) => under(PATHS.studio, livestreamId);

/** Publish with `Authorization: Bearer <streamKey>`: the livestream's `whipUrl`. */
export const whipPath = (livestreamId: string) => under(PATHS.whip, livestreamId);

/** Real-time playback, no token (livestreams are public). */
export const whepPath = (livestreamId: string) => under(PATHS.whep, livestreamId);

/** A livestream's media on the origin, or one of its recordings'. */
export const mediaPath = (livestreamId: string, recordingId?: string): string =>
  recordingId === undefined ? under(PATHS.live, livestreamId) : under(mediaPath(livestreamId), recordingId);

/** The live manifest of a livestream, or the replay manifest of one of its recordings. */
export const manifestPath = (livestreamId: string, format: ManifestFormat, recordingId?: string) =>
  `${mediaPath(livestreamId, recordingId)}/${MANIFEST_NAMES[format]}`;

/** The newest frame of a livestream (refreshed while live, kept after), or a recording's, as a JPEG. */
export const THUMBNAIL_NAME = 'thumbnail.jpg';
export const thumbnailPath = (livestreamId: string, recordingId?: string) => `${mediaPath(livestreamId, recordingId)}/${THUMBNAIL_NAME}`;

export const livestreamApiPath = (livestreamId: string) => under(`${PATHS.api}/livestreams`, livestreamId);
