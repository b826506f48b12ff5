import { SEGMENT_DURATION_S } from '../../../shared/constants.js';
import { audioRenditionId, RUN_FILE_TEMPLATES, videoRenditionId } from '../media/media-layout.js';
import type { BroadcastTimeline, TimelineSegment } from './broadcast-timeline.js';
import { durationS } from './broadcast-timeline.js';

export type DashManifestOptions =
  | {
      /** Static once the broadcast has ended; dynamic while it is on. */
      ended: boolean;
      vod?: false;
      /** Time-shift window advertised to players (the DVR window). */
      windowS: number;
      /** Where players sync their clock (absolute URL answering an ISO 8601 date). */
      utcTimingUrl: string;
      now: Date;
      /**
       * LL-DASH: the duration of the chunks (fragments) FFmpeg writes; each segment is announced while it is
       * written, with the one after it, and available one chunk after it starts (the origin streams it as it grows).
       */
      chunkS?: number | undefined;
      /** With chunkS: the first segment of each rendition that has no complete one yet, announced (with the one after it) while written. */
      firstSegments?: ReadonlyMap<string, WritingSegment> | undefined;
      /**
       * With chunkS: the run FFmpeg is writing, the only one whose next segments are announced; undefined once
       * it has ended (between runs, while a returning publisher is awaited). An ended run's announced segment
       * never comes: dash.js waited for it at the end of the period, then gave up with an error (issue 21).
       */
      writingRun?: number | undefined;
    }
  | {
      /**
       * A recording: static, with each run's period starting where the previous one ends, so the replay
       * has no holes where the live broadcast waited for a returning publisher.
       */
      vod: true;
      ended: true;
    };

/** A segment being written: where it starts; its announced length is the nominal one. */
export type WritingSegment = Pick<TimelineSegment, 'run' | 'number' | 't' | 'timescale'>;

const seconds = (s: number) => `PT${Math.max(0, s).toFixed(3)}S`;

/** The latency LL-DASH players aim for, and the bounds their catch-up keeps to (ServiceDescription, ms). */
export const LL_DASH_LATENCY_MS = { target: 2000, min: 1000, max: 6000 } as const;

function serviceDescription(): string {
  const { target, min, max } = LL_DASH_LATENCY_MS;
  return `<ServiceDescription id="0"><Latency referenceId="0" target="${target}" min="${min}" max="${max}"/><PlaybackRate min="0.9" max="1.1"/></ServiceDescription>`;
}
const xmlAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** SegmentTimeline entries, run-length encoded where consecutive segments have the same duration. */
function segmentTimeline(segments: ReadonlyArray<Pick<TimelineSegment, 't' | 'd'>>): string {
  const entries: string[] = [];
  let i = 0;
  while (i < segments.length) {
    const first = segments[i]!;
    let repeat = 0;
    while (
      i + repeat + 1 < segments.length &&
      segments[i + repeat + 1]!.d === first.d &&
      segments[i + repeat + 1]!.t === segments[i + repeat]!.t + first.d
    ) {
      repeat += 1;
    }
    entries.push(`<S t="${first.t}" d="${first.d}"${repeat > 0 ? ` r="${repeat}"` : ''}/>`);
    i += repeat + 1;
  }
  return entries.join('');
}

/**
 * LL-DASH: the segments a run's manifest announces while FFmpeg writes `writing`: that one, and the one after
 * it. A player that refreshed the manifest just before the segment being written appeared in it would
 * otherwise learn of it a whole update period (a segment) late, and run dry at every segment boundary until
 * its refreshes drift past the rewrite (issue 18's stalls). The origin holds requests for exactly these.
 */
export const announcedSegmentNumbers = (writing: number): number[] => [writing, writing + 1];

/** Where a period sits on the presentation timeline, in ms; `offsetMs`: the media time it starts at (presentationTimeOffset). */
interface PeriodPlace {
  startMs: number;
  offsetMs: number;
}

/**
 * A live period starts at its run's wall-clock anchor, but never before the previous one ends (periods are
 * sequential): a new RTMP run starts from the GOP node-media-server cached, which the previous run had
 * already written, so its anchor (that keyframe's true arrival) can be up to a GOP earlier. The period then
 * starts later, at a presentationTimeOffset that keeps each frame at its anchor's wall clock (as HLS's
 * PROGRAM-DATE-TIME has it) and leaves the repeated frames out. A recording's periods lie back to back.
 */
function placePeriod(anchorMs: number, previousEndMs: number, vod: boolean | undefined): PeriodPlace {
  const startMs = vod ? previousEndMs : Math.max(anchorMs, previousEndMs);
  return { startMs, offsetMs: vod ? 0 : startMs - anchorMs };
}

/**
 * The DASH manifest over the same CMAF segments as the HLS playlists. Each FFmpeg run is a Period
 * (a restart is a period boundary, as a discontinuity is in HLS), declaring the rungs as that run wrote
 * them (RunInfo.ladder); periods start at their run's wall-clock anchor relative to the broadcast's
 * availabilityStartTime (placePeriod), so DASH and HLS agree on what time "live" is.
 * Video rungs share one AdaptationSet; the representation ids are FFmpeg's stream indices.
 */
export function renderDashManifest(timeline: BroadcastTimeline, o: DashManifestOptions): string {
  const topVideoId = videoRenditionId(0);
  const anchors = [...timeline.runs.values()].filter((r) => r.anchor).sort((a, b) => a.index - b.index);
  const ast = anchors[0]?.anchor ?? new Date();
  const periods: string[] = [];
  let endMs = 0;
  const chunkS = o.vod || o.ended ? undefined : o.chunkS;
  const writingRun = o.vod ? undefined : o.writingRun;
  for (const run of anchors) {
    const { ladder } = run;
    const audioId = audioRenditionId(ladder);
    const place = placePeriod(run.anchor!.getTime() - ast.getTime(), endMs, o.vod);
    const ofRun = (id: string) => (timeline.renditions.get(id)?.segments ?? []).filter((s) => s.run === run.index);
    const writing = (id: string): WritingSegment | undefined => {
      if (chunkS === undefined || run.index !== writingRun) return undefined;
      const last = ofRun(id).at(-1);
      const first = o.vod ? undefined : o.firstSegments?.get(id);
      return last ? { run: last.run, number: last.number + 1, t: last.t + last.d, timescale: last.timescale } : first?.run === run.index ? first : undefined;
    };
    const has = (id: string) => ofRun(id).length > 0 || writing(id) !== undefined;
    if (!has(topVideoId) && !has(audioId)) continue;
    const template = (id: string) => {
      const complete = ofRun(id);
      const next = writing(id);
      const head = complete[0] ?? next;
      if (!head) return '';
      const d = SEGMENT_DURATION_S * head.timescale;
      const announced = next ? announcedSegmentNumbers(next.number).map((n) => ({ t: next.t + (n - next.number) * d, d })) : [];
      const lowLatency = chunkS === undefined ? '' : ` availabilityTimeOffset="${(SEGMENT_DURATION_S - chunkS).toFixed(3)}" availabilityTimeComplete="false"`;
      const offset = Math.round((place.offsetMs * head.timescale) / 1000);
      return (
        `<SegmentTemplate timescale="${head.timescale}"${offset > 0 ? ` presentationTimeOffset="${offset}"` : ''} startNumber="${head.number}"${lowLatency} ` +
        `initialization="${xmlAttr(`${run.dir}/${RUN_FILE_TEMPLATES.init}`)}" media="${xmlAttr(`${run.dir}/${RUN_FILE_TEMPLATES.media}`)}">` +
        `<SegmentTimeline>${segmentTimeline([...complete, ...announced])}</SegmentTimeline></SegmentTemplate>`
      );
    };
    const top = ladder.rungs[0]!;
    const video = ladder.rungs
      .map((r, i) => {
        const id = videoRenditionId(i);
        if (!has(id)) return '';
        return (
          `<Representation id="${id}" bandwidth="${r.videoBitrate}" width="${r.width}" height="${r.height}" ` +
          `codecs="${r.codec}" frameRate="${r.fps}" sar="1:1">${template(id)}</Representation>`
        );
      })
      .join('');
    const audio = has(audioId)
      ? `<AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" lang="und" segmentAlignment="true" startWithSAP="1">` +
        `<Representation id="${audioId}" bandwidth="${ladder.audio.bitrate}" codecs="${ladder.audio.codec}" audioSamplingRate="${ladder.audio.sampleRate}">` +
        `<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${ladder.audio.channels}"/>` +
        `${template(audioId)}</Representation></AdaptationSet>`
      : '';
    periods.push(
      `<Period id="r${run.index}" start="${seconds(place.startMs / 1000)}">` +
        `<AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" ` +
        `maxWidth="${top.width}" maxHeight="${top.height}" frameRate="${top.fps}">${video}</AdaptationSet>${audio}</Period>`,
    );
    // Where its complete media ends on the presentation timeline, whichever rendition's is last.
    for (const last of [ofRun(topVideoId).at(-1), ofRun(audioId).at(-1)]) {
      if (last) endMs = Math.max(endMs, Math.ceil(place.startMs - place.offsetMs + ((last.t + last.d) * 1000) / last.timescale));
    }
  }

  const common = `xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019" minBufferTime="${seconds(SEGMENT_DURATION_S)}" maxSegmentDuration="${seconds(maxDuration(timeline))}"`;
  const mpd = (header: string, trailer = '') => `<?xml version="1.0" encoding="utf-8"?>\n${header}${periods.join('')}${trailer}</MPD>\n`;
  if (o.vod || o.ended) return mpd(`<MPD ${common} type="static" mediaPresentationDuration="${seconds(endMs / 1000)}">`);
  return mpd(
    `<MPD ${common} type="dynamic" availabilityStartTime="${ast.toISOString()}" publishTime="${o.now.toISOString()}" ` +
      `minimumUpdatePeriod="${seconds(SEGMENT_DURATION_S)}" timeShiftBufferDepth="${seconds(o.windowS)}" ` +
      `suggestedPresentationDelay="${seconds(SEGMENT_DURATION_S * 1.5)}">${chunkS === undefined ? '' : serviceDescription()}`,
    `<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="${xmlAttr(o.utcTimingUrl)}"/>`,
  );
}

function maxDuration(timeline: BroadcastTimeline): number {
  let max = SEGMENT_DURATION_S;
  for (const r of timeline.renditions.values()) for (const s of r.segments) max = Math.max(max, durationS(s));
  return max;
}
