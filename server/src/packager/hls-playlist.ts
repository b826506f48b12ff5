import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import { AUDIO_PLAYLIST, initSegmentName, mediaPlaylistName, mediaSegmentName } from '../media/media-layout.js';
import type { Ladder } from '../transcode/ladder.js';
import { averageBandwidth, peakBandwidth } from '../transcode/ladder.js';
import type { RenditionTimeline, RunInfo } from './broadcast-timeline.js';
import { durationS } from './broadcast-timeline.js';

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
}

/** One rendition's media playlist, across runs (EXT-X-DISCONTINUITY and a new EXT-X-MAP at each). */
export function renderMediaPlaylist(
  rendition: RenditionTimeline,
  runs: ReadonlyMap<number, RunInfo>,
  options: MediaPlaylistOptions,
): string {
  const segments = rendition.segments;
  const target = Math.max(SEGMENT_DURATION_S, ...segments.map((s) => Math.round(durationS(s))));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', `#EXT-X-TARGETDURATION:${target}`];
  if (options.vod) lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${rendition.mediaSequence}`);
  if (rendition.discontinuitySequence > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${rendition.discontinuitySequence}`);
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  let previousRun: number | undefined;
  for (const s of segments) {
    const dir = runs.get(s.run)?.dir;
    if (dir === undefined) throw new Error(`segment of unknown run ${s.run}`);
    if (s.run !== previousRun) {
      if (previousRun !== undefined) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(`#EXT-X-MAP:URI="${dir}/${initSegmentName(rendition.id)}"`);
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${s.pdt.toISOString()}`);
      previousRun = s.run;
    }
    lines.push(`#EXTINF:${durationS(s).toFixed(6)},`, `${dir}/${mediaSegmentName(rendition.id, s.number)}`);
  }
  if (options.ended || options.vod) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
