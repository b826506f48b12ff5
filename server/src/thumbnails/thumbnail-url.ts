import { thumbnailPath } from '../../../shared/public-paths.js';

export interface ThumbnailOf {
  livestreamId: string;
  recordingId?: string;
  /** The stored version of the newest picture; null when there is none yet. */
  version: string | null;
}

/**
 * The public URL of a livestream's or a recording's thumbnail, or null when it has none yet. Built from
 * the version the store keeps, never from the disk: in a cluster the file is on the node that took it,
 * and every node must answer the same URL (the origin passes the request on to that node). The query
 * carries the version, so an <img> or a link preview that kept the old picture by its URL fetches the new one.
 *
 * When the file is gone while its version is stored (an operator wiped the media directory), the URL is
 * still given and answers 404 until the livestream's next broadcast writes a picture under a new version:
 * no node can tell from its own disk whether another node holds the file, and checking would put the
 * disk back on the path of every API answer.
 */
export function thumbnailUrl(publicUrl: string, of: ThumbnailOf): string | null {
  if (of.version === null) return null;
  return `${publicUrl}${thumbnailPath(of.livestreamId, of.recordingId)}?v=${of.version}`;
}
