import fs from 'node:fs/promises';
import path from 'node:path';
import { livestreamDir } from '../media/media-layout.js';
import { mediaTypeOf, type MediaType } from './media-types.js';
import { parseSafeRelativePath } from './safe-path.js';

export interface MediaFile {
  absPath: string;
  type: MediaType;
}

/**
 * The file a `/live/<id>/<encodedRelativePath>` request names, or undefined when the path is unsafe or
 * is not a stream file. Never resolves outside `<mediaDir>/<id>/`.
 */
export function resolveMediaFile(mediaDir: string, livestreamId: string, encodedRelativePath: string): MediaFile | undefined {
  const segments = parseSafeRelativePath(encodedRelativePath);
  const fileName = segments?.at(-1);
  if (!segments || !fileName) return undefined;
  const type = mediaTypeOf(fileName);
  if (!type) return undefined;
  const base = livestreamDir(mediaDir, livestreamId);
  const absPath = path.join(base, ...segments);
  return absPath.startsWith(base + path.sep) ? { absPath, type } : undefined;
}

/** Deletes everything the packager wrote for a livestream. */
export async function removeLivestreamMedia(mediaDir: string, livestreamId: string): Promise<void> {
  await fs.rm(livestreamDir(mediaDir, livestreamId), { recursive: true, force: true });
}
