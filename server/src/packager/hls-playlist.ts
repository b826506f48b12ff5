import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import { AUDIO_PLAYLIST, initSegmentName, mediaPlaylistName, mediaSegmentName } from '../media/media-layout.js';
import type { Ladder } from '../transcode/ladder.js';
import { averageBandwidth, peakBandwidth } from '../transcode/ladder.js';
import type { RenditionTimeline, RunInfo } from './broadcast-timeline.js';
import { durationS } from './broadcast-timeline.js';
import {
  type LowLatencyView,
  partLines,
  preloadHintLine,
  renditionReportLines,
  SEGMENTS_WITH_PARTS,
  serverControlLines,
  skippedSegments,
} from './ll-hls-tags.js';

/** The multivariant playlist: every rung with the attributes players choose by, audio as one group. */
export function renderMasterPlaylist(ladder: Ladder): string {
  const { audio } = ladder;
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="${audio.channels}",URI="${AUDIO_PLAYLIST}"`,
  ];
  for (const rung of ladder.rungs) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${peakBandwidth(rung, audio)},AVERAGE-BANDWIDTH=${averageBandwidth(rung, audio)},` +
        `RESOLUTION=${rung.width}x${rung.height},FRAME-RATE=${rung.fps.toFixed(3)},CODECS="${rung.codec},${audio.codec}",AUDIO="audio"`,
      mediaPlaylistName(rung.name),
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface MediaPlaylistOptions {
  /** The broadcast has ended: no more segments will come. */
  ended: boolean;
  /** A recording: the whole broadcast, never changing. */
  vod?: boolean;
  /** Live with parts: an LL-HLS playlist, which players without LL-HLS read as a standard one. */
  lowLatency?: LowLatencyView | undefined;
}

/**
 * One rendition's media playlist, across runs (EXT-X-DISCONTINUITY and a new EXT-X-MAP at each). With
 * `lowLatency`, the newest segments also list their parts, followed by the parts of the segment being
 * written and a preload hint for the next one.
 */
export function renderMediaPlaylist(
  rendition: RenditionTimeline,
  runs: ReadonlyMap<number, RunInfo>,
  options: MediaPlaylistOptions,
): string {
  const segments = rendition.segments;
  const ll = options.ended || options.vod ? undefined : options.lowLatency;
  const target = Math.max(SEGMENT_DURATION_S, ...segments.map((s) => Math.round(durationS(s))));
  // Version 9 for EXT-X-SKIP; players that predate LL-HLS ignore the tags they don't know.
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${ll ? 9 : 6}`, `#EXT-X-TARGETDURATION:${target}`];
  if (options.vod) lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  if (ll) lines.push(...serverControlLines(ll.partTargetS));
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${rendition.mediaSequence}`);
  if (rendition.discontinuitySequence > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${rendition.discontinuitySequence}`);
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  const skipped = ll?.skip ? skippedSegments(segments.map(durationS)) : 0;
  if (skipped > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);
  const uri = (run: number, number: number) => {
    const dir = runs.get(run)?.dir;
    if (dir === undefined) throw new Error(`segment of unknown run ${run}`);
    return `${dir}/${mediaSegmentName(rendition.id, number)}`;
  };
  let previousRun = segments[skipped - 1]?.run;
  segments.forEach((s, i) => {
    if (i < skipped) return;
    // The first segment after a delta update's skip restates its map: the one in force may have been skipped.
    if (s.run !== previousRun || i === skipped) {
      if (previousRun !== undefined && s.run !== previousRun) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(`#EXT-X-MAP:URI="${runs.get(s.run)?.dir}/${initSegmentName(rendition.id)}"`);
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${s.pdt.toISOString()}`);
      previousRun = s.run;
    }
    const parts = ll && i >= segments.length - SEGMENTS_WITH_PARTS ? ll.partsOf(s.run, s.number) : undefined;
    if (parts) lines.push(...partLines(uri(s.run, s.number), parts));
    lines.push(`#EXTINF:${durationS(s).toFixed(6)},`, uri(s.run, s.number));
  });
  if (ll?.growing) {
    const { run, number, parts, pdt } = ll.growing;
    if (segments.length === 0) lines.push(`#EXT-X-MAP:URI="${runs.get(run)?.dir}/${initSegmentName(rendition.id)}"`, `#EXT-X-PROGRAM-DATE-TIME:${pdt.toISOString()}`);
    const growingUri = uri(run, number);
    lines.push(...partLines(growingUri, parts), preloadHintLine(growingUri, parts));
  }
  if (ll) lines.push(...renditionReportLines(ll.reports));
  if (options.ended || options.vod) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
