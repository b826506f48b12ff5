import fsp from 'node:fs/promises';
import path from 'node:path';
import { BROADCAST_INFO_FILE, isBroadcastDirName, isManifestFile } from '../media/media-layout.js';

/** Whether a broadcast's directory belongs to a recording (its segments stay after the broadcast). */
export async function isRecordedBroadcast(broadcastDir: string): Promise<boolean> {
  return fsp.access(path.join(broadcastDir, BROADCAST_INFO_FILE)).then(
    () => true,
    () => false,
  );
}

/**
 * Removes what ended broadcasts left at a livestream's root that nobody will play: its live manifests,
 * and the directories of broadcasts `keep` does not name (their segments were only ever live).
 */
export async function removeLiveLeftovers(root: string, keep: (broadcastId: string) => Promise<boolean>): Promise<void> {
  const entries = await fsp.readdir(root, { withFileTypes: true }).catch(() => []);
  await Promise.all(
    entries.map(async (entry) => {
      const file = path.join(root, entry.name);
      if (entry.isFile() && isManifestFile(entry.name)) await fsp.rm(file, { force: true });
      else if (entry.isDirectory() && isBroadcastDirName(entry.name) && !(await keep(entry.name))) {
        await fsp.rm(file, { recursive: true, force: true });
      }
    }),
  );
}
