import path from 'node:path';
import type { Ladder } from '../transcode/ladder.js';
import { writeAtomic } from './atomic-file.js';
import type { BroadcastTimeline } from './broadcast-timeline.js';
import { type DashManifestOptions, renderDashManifest } from './dash-manifest.js';
import { AUDIO_PLAYLIST, mediaPlaylistName, renderMasterPlaylist, renderMediaPlaylist } from './hls-playlist.js';

/** The manifests players open first. */
export const PUBLIC_MANIFESTS = { master: 'master.m3u8', dash: 'manifest.mpd' } as const;

/**
 * Writes a timeline's HLS playlists and DASH manifest into `dir`: live (windowed, growing), ended, or a
 * recording's replay (VOD), as `o` says. Segment URIs are the timeline's run directories, relative to `dir`.
 */
export async function writeManifests(dir: string, timeline: BroadcastTimeline, ladder: Ladder, o: DashManifestOptions): Promise<void> {
  const hls = { ended: o.ended, vod: o.vod === true };
  const rendition = (id: string) => {
    const r = timeline.renditions.get(id);
    if (!r) throw new Error(`the timeline has no rendition ${id}`);
    return renderMediaPlaylist(r, timeline.runs, hls);
  };
  const files: Array<[string, string]> = ladder.rungs.map((rung, i) => [mediaPlaylistName(rung.name), rendition(String(i))]);
  files.push([AUDIO_PLAYLIST, rendition(String(ladder.rungs.length))]);
  files.push([PUBLIC_MANIFESTS.dash, renderDashManifest(timeline, ladder, o)]);
  // The master goes last: when it appears, every playlist it names already has a segment.
  await Promise.all(files.map(([name, body]) => writeAtomic(path.join(dir, name), body)));
  await writeAtomic(path.join(dir, PUBLIC_MANIFESTS.master), renderMasterPlaylist(ladder));
}
