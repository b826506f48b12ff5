import { createHash } from 'node:crypto';
import type { LivestreamRepository } from '../store/livestream-repository.js';
import type { RecordingRepository } from '../store/recording-repository.js';

/**
 * A picture's version: a digest of its bytes, URL-safe. A new frame gets a new URL; rewriting the same
 * bytes keeps it, so what a viewer's cache holds under it stays right.
 */
export const thumbnailVersion = (jpeg: Buffer) => createHash('sha256').update(jpeg).digest('base64url').slice(0, 16);

/** Where the versions of a broadcast's pictures are kept (the store every node reads). */
export interface ThumbnailVersionStore {
  livestreams: Pick<LivestreamRepository, 'setThumbnailVersion'>;
  recordings: Pick<RecordingRepository, 'setThumbnailVersion'>;
}

/** Records a new picture of a broadcast: the livestream's, and its recording's when it is recorded. */
export function storeThumbnailVersion(store: ThumbnailVersionStore, livestreamId: string, recordingId: string | undefined) {
  return async (version: string): Promise<void> => {
    await store.livestreams.setThumbnailVersion(livestreamId, version);
    if (recordingId !== undefined) await store.recordings.setThumbnailVersion(recordingId, version);
  };
}
