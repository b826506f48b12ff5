import fs from 'node:fs';
import { thumbnailPath } from '../../../shared/public-paths.js';
import { thumbnailFile } from '../media/media-layout.js';

export interface ThumbnailOf {
  /** The livestream's root, or the recording's directory. */
  dir: string;
  livestreamId: string;
  recordingId?: string;
}

/**
 * The public URL of a livestream's or a recording's thumbnail, or null when it has none yet. The query
 * carries the picture's version (its mtime): a refreshed thumbnail gets a new URL, so an <img> or a link
 * preview that kept the old one by its URL fetches the new one.
 */
export function thumbnailUrl(publicUrl: string, of: ThumbnailOf): string | null {
  // One stat, synchronous: API answers are built synchronously, and the file is on the local disk.
  const stat = fs.statSync(thumbnailFile(of.dir), { throwIfNoEntry: false });
  if (!stat?.isFile()) return null;
  return `${publicUrl}${thumbnailPath(of.livestreamId, of.recordingId)}?v=${Math.floor(stat.mtimeMs).toString(36)}`;
}
