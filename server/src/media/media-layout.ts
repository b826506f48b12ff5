import path from 'node:path';
import { livestreamIdSchema } from '../../../shared/livestream.js';
import { MANIFEST_NAMES, THUMBNAIL_NAME } from '../../../shared/public-paths.js';
import { recordingIdSchema } from '../../../shared/recording.js';
import type { Ladder } from '../transcode/ladder.js';

/**
 * The one layout of a livestream's media files. FFmpeg, the packager and the recordings write by it; the
 * packager, the recovery of cut recordings and the origin read by it. Every name is encoded and decoded
 * here, nowhere else:
 *
 *   <mediaDir>/<livestreamId>/         the livestream's root: its live manifests
 *     master.m3u8 manifest.mpd <rung>.m3u8 audio.m3u8
 *     thumbnail.jpg                    the newest frame of the latest broadcast (kept after it ends)
 *     <broadcastId>/                   one broadcast; when recorded, also its recording (the same manifest names, VOD)
 *       broadcast.json                 only when recorded: what rebuilds the replay after a crash
 *       thumbnail.jpg                  only when recorded: the recording's picture
 *       r<n>/                          one FFmpeg run (a restarted FFmpeg starts r<n+1>)
 *         ffmpeg.mpd init-<rendition>.m4s seg-<rendition>-<number, 5 digits or more>.m4s
 */

/** The manifests players open first, at the top of a livestream's root and of each recording (public names: shared/). */
export const PUBLIC_MANIFESTS = { master: MANIFEST_NAMES.hls, dash: MANIFEST_NAMES.dash } as const;
export const AUDIO_PLAYLIST = 'audio.m3u8';
/** A video rung's HLS media playlist: "720p.m3u8". */
export const mediaPlaylistName = (rungName: string) => `${rungName}.m3u8`;

/** The thumbnail in a livestream's root or a recording's directory (public name: shared/). */
export const thumbnailFile = (dir: string) => path.join(dir, THUMBNAIL_NAME);

/** In a recorded broadcast's directory: the ladder its replay is rebuilt with. */
export const BROADCAST_INFO_FILE = 'broadcast.json';

/**
 * File names FFmpeg writes in a run directory, as its dash muxer's templates. The packager's DASH
 * manifest reuses them as SegmentTemplate attributes, which take the same $...$ identifiers.
 */
export const RUN_FILE_TEMPLATES = {
  manifest: 'ffmpeg.mpd',
  init: 'init-$RepresentationID$.m4s',
  media: 'seg-$RepresentationID$-$Number%05d$.m4s',
} as const;

const REPRESENTATION_ID = '$RepresentationID$';
const NUMBER = '$Number%05d$';
const SEGMENT_NUMBER_DIGITS = 5;

/**
 * FFmpeg's representation ids are its output stream indices: the video rungs in ladder order, then the
 * audio (ffmpeg-args maps them in that order).
 */
export const videoRenditionId = (rungIndex: number) => String(rungIndex);
export const audioRenditionId = (ladder: Pick<Ladder, 'rungs'>) => String(ladder.rungs.length);
export const renditionIds = (ladder: Pick<Ladder, 'rungs'>) => [...ladder.rungs.map((_, i) => videoRenditionId(i)), audioRenditionId(ladder)];

/** Each rendition's HLS media playlist name, in rendition order. */
export function renditionPlaylists(ladder: Pick<Ladder, 'rungs'>): Array<{ rendition: string; name: string }> {
  const video = ladder.rungs.map((rung, i) => ({ rendition: videoRenditionId(i), name: mediaPlaylistName(rung.name) }));
  return [...video, { rendition: audioRenditionId(ladder), name: AUDIO_PLAYLIST }];
}

/** A livestream's media root. Throws on an id that could name another directory. */
export function livestreamDir(mediaDir: string, livestreamId: string): string {
  if (!isLivestreamDirName(livestreamId)) throw new Error('invalid livestream id');
  return path.join(mediaDir, livestreamId);
}

export const isLivestreamDirName = (name: string) => livestreamIdSchema.safeParse(name).success;

/** A broadcast's directory; a recording's id is its broadcast's, so this is also the recording's directory. */
export function broadcastDir(livestreamRoot: string, broadcastId: string): string {
  if (!isBroadcastDirName(broadcastId)) throw new Error('invalid broadcast id');
  return path.join(livestreamRoot, broadcastId);
}

export const isBroadcastDirName = (name: string) => recordingIdSchema.safeParse(name).success;

export const runDirName = (run: number) => `r${run}`;

/** The run index a directory name encodes, or undefined for anything else. */
export function parseRunDirName(name: string): number | undefined {
  const digits = /^r([1-9]\d{0,5})$/.exec(name)?.[1];
  return digits === undefined ? undefined : Number(digits);
}

/** A run's directory as the live manifests name it, from the livestream's root. */
export const liveRunDir = (broadcastId: string, run: number) => `${broadcastId}/${runDirName(run)}`;

export const initSegmentName = (rendition: string) => RUN_FILE_TEMPLATES.init.replace(REPRESENTATION_ID, rendition);

export function mediaSegmentName(rendition: string, number: number): string {
  return RUN_FILE_TEMPLATES.media.replace(REPRESENTATION_ID, rendition).replace(NUMBER, String(number).padStart(SEGMENT_NUMBER_DIGITS, '0'));
}

export type RunFile = { kind: 'init'; rendition: string } | { kind: 'segment'; rendition: string; number: number };

/** A template turned into a pattern: the identifiers become capture groups, the rest matches itself. */
function templatePattern(template: string): RegExp {
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = template.split(/(\$RepresentationID\$|\$Number%05d\$)/);
  const source = parts.map((p) => (p === REPRESENTATION_ID ? '(0|[1-9]\\d*)' : p === NUMBER ? '(\\d+)' : literal(p))).join('');
  return new RegExp(`^${source}$`);
}

const INIT_PATTERN = templatePattern(RUN_FILE_TEMPLATES.init);
const MEDIA_PATTERN = templatePattern(RUN_FILE_TEMPLATES.media);

/** What a file name in a run directory is; undefined for FFmpeg's manifest, temporary files and anything foreign. */
export function parseRunFile(name: string): RunFile | undefined {
  const init = INIT_PATTERN.exec(name);
  if (init) return { kind: 'init', rendition: init[1]! };
  const media = MEDIA_PATTERN.exec(name);
  if (!media) return undefined;
  const rendition = media[1]!;
  const number = Number(media[2]);
  // Only the one spelling FFmpeg writes: no extra leading zeros, no number 0.
  return number > 0 && mediaSegmentName(rendition, number) === name ? { kind: 'segment', rendition, number } : undefined;
}

/** Files the packager writes at the top of a livestream's root (manifests, and the temporary files they are written through). */
export const isManifestFile = (name: string) => /\.(m3u8|mpd|tmp)$/.test(name);

export type MediaFileKind = 'playlist' | 'dash-manifest' | 'init-segment' | 'media-segment' | 'thumbnail';

/**
 * How the origin serves a file, by its name; undefined for a file that is no part of a stream (the
 * database, broadcast.json, a half-written manifest). The extension decides: everything under a
 * livestream's root is Axon's own, and only the init segments need telling apart from the media ones.
 */
export function mediaFileKind(name: string): MediaFileKind | undefined {
  if (name.endsWith('.m3u8')) return 'playlist';
  if (name.endsWith('.mpd')) return 'dash-manifest';
  if (name.endsWith('.m4s')) return parseRunFile(name)?.kind === 'init' ? 'init-segment' : 'media-segment';
  if (name === THUMBNAIL_NAME) return 'thumbnail';
  return undefined;
}
