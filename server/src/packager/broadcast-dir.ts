import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { recordingIdSchema } from '../../../shared/recording.js';
import type { Ladder } from '../transcode/ladder.js';
import { writeAtomic } from './atomic-file.js';

/**
 * A livestream's media root holds its live manifests at the top and one directory per broadcast
 * (`<broadcastId>/r1`, `r2`, ... one per FFmpeg run). A recorded broadcast's directory also holds
 * `broadcast.json`: what is needed to build its replay from the segments alone, even after a crash.
 */
export const BROADCAST_INFO_FILE = 'broadcast.json';

export interface BroadcastInfo {
  ladder: Ladder;
}

const ladderSchema = z.object({
  rungs: z
    .array(
      z.object({
        name: z.string().regex(/^\d+p$/),
        width: z.number().int().positive(),
        height: z.number().int().positive(),
        fps: z.number().positive(),
        videoBitrate: z.number().int().positive(),
        level: z.number().int().positive(),
        codec: z.string().min(1),
      }),
    )
    .min(1),
  audio: z.object({
    bitrate: z.number().int().positive(),
    sampleRate: z.number().int().positive(),
    channels: z.number().int().positive(),
    codec: z.string().min(1),
  }),
});

export async function writeBroadcastInfo(broadcastDir: string, info: BroadcastInfo): Promise<void> {
  await writeAtomic(path.join(broadcastDir, BROADCAST_INFO_FILE), JSON.stringify(info));
}

/** The broadcast's info; throws when the file is missing or not one Axon wrote. */
export async function readBroadcastInfo(broadcastDir: string): Promise<BroadcastInfo> {
  const text = await fsp.readFile(path.join(broadcastDir, BROADCAST_INFO_FILE), 'utf8');
  return { ladder: ladderSchema.parse(JSON.parse(text).ladder) };
}

export async function isRecordedBroadcast(broadcastDir: string): Promise<boolean> {
  return fsp.access(path.join(broadcastDir, BROADCAST_INFO_FILE)).then(
    () => true,
    () => false,
  );
}

/** FFmpeg run directories of a broadcast (r1, r2, ...), in run order. */
export async function runIndices(broadcastDir: string): Promise<number[]> {
  const entries = await fsp.readdir(broadcastDir).catch(() => []);
  return entries
    .map((name) => /^r([1-9]\d{0,5})$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
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
      if (entry.isFile() && /\.(m3u8|mpd|tmp)$/.test(entry.name)) await fsp.rm(file, { force: true });
      else if (entry.isDirectory() && recordingIdSchema.safeParse(entry.name).success && !(await keep(entry.name))) {
        await fsp.rm(file, { recursive: true, force: true });
      }
    }),
  );
}
