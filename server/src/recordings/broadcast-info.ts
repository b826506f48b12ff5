import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BROADCAST_INFO_FILE } from '../media/media-layout.js';
import { writeAtomic } from '../packager/atomic-file.js';
import type { Ladder } from '../transcode/ladder.js';

/** What a recorded broadcast's directory keeps beside its segments to build its replay from them alone, even after a crash. */
export interface BroadcastInfo {
  /** The ladder as planned at the start: the replay's master playlist, and any run not in `runs`. */
  ladder: Ladder;
  /**
   * Each run's rungs as it wrote them (its DASH period's codecs and sizes), by run index; absent in a
   * recording written before runs were recorded, whose periods all take `ladder`.
   */
  runs?: Record<string, Ladder>;
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

const runsSchema = z.record(z.string().regex(/^\d+$/), ladderSchema).optional();

/** The ladder run `run` wrote, as the info keeps it. */
export const runLadderOf = (info: BroadcastInfo, run: number): Ladder => info.runs?.[String(run)] ?? info.ladder;

export async function writeBroadcastInfo(broadcastDir: string, info: BroadcastInfo): Promise<void> {
  await writeAtomic(path.join(broadcastDir, BROADCAST_INFO_FILE), JSON.stringify(info));
}

/** The broadcast's info; throws when the file is missing or not one Axon wrote. */
export async function readBroadcastInfo(broadcastDir: string): Promise<BroadcastInfo> {
  const text = await fsp.readFile(path.join(broadcastDir, BROADCAST_INFO_FILE), 'utf8');
  const json = JSON.parse(text);
  return { ladder: ladderSchema.parse(json.ladder), runs: runsSchema.parse(json.runs) };
}
