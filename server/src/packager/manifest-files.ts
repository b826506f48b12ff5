import path from 'node:path';
import { PUBLIC_MANIFESTS, renditionPlaylists } from '../media/media-layout.js';
import type { Ladder } from '../transcode/ladder.js';
import { writeAtomic } from './atomic-file.js';
import type { BroadcastTimeline } from './broadcast-timeline.js';
import { type DashManifestOptions, renderDashManifest } from './dash-manifest.js';
import { renderMasterPlaylist, renderMediaPlaylist } from './hls-playlist.js';

/**
 * Writes a timeline's HLS playlists and DASH manifest into `dir`: live (windowed, growing), ended, or a
 * recording's replay (VOD), as `o` says. Segment URIs are the timeline's run directories, relative to `dir`.
 */
export async function writeManifests(dir: string, timeline: BroadcastTimeline, ladder: Ladder, o: DashManifestOptions): Promise<void> {
  const hls = { ended: o.ended, vod: o.vod === true };
  const files: Array<[string, string]> = renditionPlaylists(ladder).map(({ rendition, name }) => {
    const r = timeline.renditions.get(rendition);
    if (!r) throw new Error(`the timeline has no rendition ${rendition}`);
    return [name, renderMediaPlaylist(r, timeline.runs, hls)];
  });
  files.push([PUBLIC_MANIFESTS.dash, renderDashManifest(timeline, o)]);
  // The master goes last: when it appears, every playlist it names already has a segment.
  await Promise.all(files.map(([name, body]) => writeAtomic(path.join(dir, name), body)));
  await writeAtomic(path.join(dir, PUBLIC_MANIFESTS.master), renderMasterPlaylist(ladder));
}
