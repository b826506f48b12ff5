import { describe, expect, it } from 'vitest';
import { planLadder } from '../transcode/ladder.js';
import { BroadcastTimeline, runLadder } from './broadcast-timeline.js';
import { renderDashManifest } from './dash-manifest.js';
import { renderMasterPlaylist, renderMediaPlaylist } from './hls-playlist.js';

const ladder = planLadder({ width: 640, height: 480 }, [1080, 720, 480, 360, 144], 30);
const T0 = new Date('2026-11-21T10:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

/**
 * Two FFmpeg runs of the 640x480 ladder: 3 segments, a restart, then 2 segments (the last 1 s long), run 2
 * writing `secondLadder`; `restartS`: when run 2's first segment is seen complete (its media time 0 is 2 s before).
 */
function twoRuns(secondLadder = ladder, restartS = 10): BroadcastTimeline {
  const ids = [...ladder.rungs.map((_, i) => String(i)), String(ladder.rungs.length)];
  const tl = new BroadcastTimeline(ids);
  const add = (run: number, n: number, seenS: number, d = 30720) => {
    for (const id of ids) {
      const audio = id === String(ladder.rungs.length);
      const scale = audio ? 48000 / 15360 : 1;
      tl.add(run, id, { number: n, t: Math.round((n - 1) * 30720 * scale), d: Math.round(d * scale), timescale: audio ? 48000 : 15360 }, at(seenS));
    }
  };
  tl.addRun(1, 'b1/r1', runLadder(ladder));
  [1, 2, 3].forEach((n) => add(1, n, 2 * n));
  tl.addRun(2, 'b1/r2', runLadder(secondLadder));
  add(2, 1, restartS);
  add(2, 2, restartS + 1, 15360);
  return tl;
}

describe('HLS playlists', () => {
  it('lists every rung with the attributes players choose by, audio as one group', () => {
    const master = renderMasterPlaylist(ladder);
    const variants = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
    expect(variants).toHaveLength(3);
    expect(variants[0]).toMatch(/^#EXT-X-STREAM-INF:BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=640x480,FRAME-RATE=30\.000,CODECS="avc1\.6400[0-9a-f]{2},mp4a\.40\.2",AUDIO="audio"$/);
    expect(master).toContain('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio"');
    expect(master).toContain('\n480p.m3u8\n');
    const bandwidth = (l: string) => Number(/BANDWIDTH=(\d+)/.exec(l)![1]);
    const average = (l: string) => Number(/AVERAGE-BANDWIDTH=(\d+)/.exec(l)![1]);
    for (const v of variants) expect(bandwidth(v)).toBeGreaterThan(average(v));
  });

  it('continues across an FFmpeg restart with a discontinuity, a new map and a date', () => {
    const tl = twoRuns();
    const pl = renderMediaPlaylist(tl.renditions.get('0')!, tl.runs, { ended: false });
    expect(pl).toContain('#EXT-X-TARGETDURATION:2\n');
    expect(pl).toContain('#EXT-X-MEDIA-SEQUENCE:0\n');
    expect(pl).not.toContain('#EXT-X-DISCONTINUITY-SEQUENCE');
    expect(pl).not.toContain('#EXT-X-ENDLIST');
    expect(pl).not.toContain('PLAYLIST-TYPE');
    const lines = pl.trim().split('\n');
    const cut = lines.indexOf('#EXT-X-DISCONTINUITY');
    expect(lines.slice(cut, cut + 3)).toEqual(['#EXT-X-DISCONTINUITY', '#EXT-X-MAP:URI="b1/r2/init-0.m4s"', '#EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:08.000Z']);
    expect(lines.filter((l) => l.startsWith('#EXT-X-MAP'))).toHaveLength(2);
    expect(lines.filter((l) => l.endsWith('.m4s') && !l.startsWith('#'))).toEqual([
      'b1/r1/seg-0-00001.m4s', 'b1/r1/seg-0-00002.m4s', 'b1/r1/seg-0-00003.m4s', 'b1/r2/seg-0-00001.m4s', 'b1/r2/seg-0-00002.m4s',
    ]);
    expect(lines.at(-2)).toBe('#EXTINF:1.000000,');
  });

  it('carries the sequences once the window has dropped the first run, and ends when asked', () => {
    const tl = twoRuns();
    tl.trim(3);
    const pl = renderMediaPlaylist(tl.renditions.get('0')!, tl.runs, { ended: true });
    expect(pl).toContain('#EXT-X-MEDIA-SEQUENCE:3\n');
    expect(pl).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:1\n');
    expect(pl).not.toContain('#EXT-X-DISCONTINUITY\n');
    expect(pl.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const vod = renderMediaPlaylist(tl.renditions.get('0')!, tl.runs, { ended: true, vod: true });
    expect(vod).toContain('#EXT-X-PLAYLIST-TYPE:VOD\n');
  });
});

describe('DASH manifest', () => {
  const options = { windowS: 300, utcTimingUrl: 'http://axon.test/api/time', now: at(12) };

  it('is dynamic while live: one period per run, anchored at its wall-clock start, same segments as HLS', () => {
    const mpd = renderDashManifest(twoRuns(), { ...options, ended: false });
    expect(mpd).toContain('type="dynamic"');
    expect(mpd).toContain('availabilityStartTime="2026-11-21T10:00:00.000Z"');
    expect(mpd).toContain('timeShiftBufferDepth="PT300.000S"');
    expect(mpd).toContain('<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="http://axon.test/api/time"/>');
    expect([...mpd.matchAll(/<Period id="(r\d)" start="([^"]+)"/g)].map((m) => `${m[1]}@${m[2]}`)).toEqual(['r1@PT0.000S', 'r2@PT8.000S']);
    expect(mpd).toContain('media="b1/r2/seg-$RepresentationID$-$Number%05d$.m4s"');
    expect(mpd).toContain('<S t="0" d="30720" r="2"/>');
    expect(mpd).toContain('<S t="0" d="30720"/><S t="30720" d="15360"/>');
    expect(mpd.match(/<Representation id="\d" bandwidth="\d+" width=/g)).toHaveLength(2 * ladder.rungs.length);
  });

  it('turns static with a duration when the broadcast ends', () => {
    const mpd = renderDashManifest(twoRuns(), { ...options, ended: true });
    expect(mpd).toContain('type="static"');
    expect(mpd).toContain('mediaPresentationDuration="PT11.000S"');
    expect(mpd).not.toContain('availabilityStartTime');
    expect(mpd).not.toContain('UTCTiming');
  });

  it('lays a recording\'s periods back to back, without the wall-clock gap between the runs', () => {
    const mpd = renderDashManifest(twoRuns(), { vod: true, ended: true });
    expect(mpd).toContain('type="static"');
    expect([...mpd.matchAll(/<Period id="(r\d)" start="([^"]+)"/g)].map((m) => `${m[1]}@${m[2]}`)).toEqual(['r1@PT0.000S', 'r2@PT6.000S']);
    expect(mpd).toContain('mediaPresentationDuration="PT9.000S"');
  });

  it('announces the segment being written and the one after it to LL-DASH players, available one chunk after they start', () => {
    const mpd = renderDashManifest(twoRuns(), { ...options, ended: false, chunkS: 0.5, writingRun: 2 });
    expect(mpd.match(/availabilityTimeOffset="1\.500" availabilityTimeComplete="false"/g)).toHaveLength(2 * (ladder.rungs.length + 1));
    expect(mpd).toMatch(/<MPD [^>]*><ServiceDescription id="0"><Latency referenceId="0" target="\d+" min="\d+" max="\d+"\/>/);
    // Run 2 is being written: after its 1 s segment 2 come segments 3 and 4, at their nominal 2 s; run 1 is over.
    // Segment 4 is there before FFmpeg starts it, so a player that refreshes the manifest just before the
    // packager rewrites it still knows the segment it needs next (the cause of issue 18's LL-DASH stalls).
    expect(mpd).toContain('<S t="0" d="30720"/><S t="30720" d="15360"/><S t="46080" d="30720" r="1"/></SegmentTimeline>');
    expect(mpd).toContain('<S t="0" d="30720" r="2"/></SegmentTimeline>');
    const ended = renderDashManifest(twoRuns(), { ...options, ended: true, chunkS: 0.5, writingRun: 2 });
    expect(ended).not.toMatch(/availabilityTimeOffset|ServiceDescription/);
  });

  it('announces no segment between runs: the run that ended writes no more, and its players move on to the next period', () => {
    const mpd = renderDashManifest(twoRuns(), { ...options, ended: false, chunkS: 0.5, writingRun: undefined });
    expect(mpd).toContain('<S t="0" d="30720"/><S t="30720" d="15360"/></SegmentTimeline>');
    expect(mpd).toContain('<S t="0" d="30720" r="2"/></SegmentTimeline>');
    expect(mpd).not.toContain('t="46080"');
    // The next run started but wrote nothing yet: the ended one still announces nothing.
    expect(renderDashManifest(twoRuns(), { ...options, ended: false, chunkS: 0.5, writingRun: 3 })).toBe(mpd);
  });

  /** Each period's video representations as `id:codecs@widthxheight/bandwidth`, in period order. */
  const representations = (mpd: string): string[][] =>
    [...mpd.matchAll(/<Period id="r\d"(.*?)<\/Period>/g)].map(([, body]) =>
      [...body!.matchAll(/<Representation id="(\d)" bandwidth="(\d+)" width="(\d+)" height="(\d+)" codecs="([^"]+)"/g)].map((m) => `${m[1]}:${m[5]}@${m[3]}x${m[4]}/${m[2]}`),
    );

  it('declares each period with the rungs its own run wrote, live, ended and in a recording', () => {
    // Run 1 passed an RTMP source's Baseline H.264 through as its top rung; run 2 encodes it as High.
    const copied = runLadder(ladder);
    copied.rungs[0] = { ...copied.rungs[0]!, codec: 'avc1.42C01E', width: 640, height: 480, videoBitrate: 1_234_000 };
    const tl = twoRuns();
    tl.runs.get(1)!.ladder.rungs[0] = copied.rungs[0]!;
    const encoded = `0:${ladder.rungs[0]!.codec}@640x480/${ladder.rungs[0]!.videoBitrate}`;
    for (const mpd of [
      renderDashManifest(tl, { ...options, ended: false }),
      renderDashManifest(tl, { ...options, ended: true }),
      renderDashManifest(tl, { vod: true, ended: true }),
    ]) {
      const [first, second] = representations(mpd);
      expect(first![0]).toBe('0:avc1.42C01E@640x480/1234000');
      expect(second![0]).toBe(encoded);
      expect(first!.slice(1)).toEqual(second!.slice(1));
    }
  });

  it('keeps a simulcast run and an encoded run apart: their rung sizes differ', () => {
    const layers = runLadder(ladder);
    layers.rungs = layers.rungs.map((r) => ({ ...r, width: r.width - 2, codec: 'avc1.42E01F' }));
    const mpd = renderDashManifest(twoRuns(layers), { ...options, ended: false });
    const [first, second] = representations(mpd);
    expect(first![0]).toMatch(/^0:avc1\.6400[0-9a-f]{2}@640x480\//);
    expect(second![0]).toMatch(/^0:avc1\.42E01F@638x480\//);
    expect(mpd).toMatch(/<Period id="r2"[^>]*><AdaptationSet id="0" [^>]*maxWidth="638" maxHeight="480"/);
  });

  it('follows the run being written in place: what its timeline shares with the recording sees the new rungs', () => {
    const tl = twoRuns();
    const shared = tl.runs.get(2)!.ladder;
    const declared = runLadder(ladder);
    declared.rungs[0] = { ...declared.rungs[0]!, videoBitrate: 999_000 };
    tl.describeRun(2, declared);
    expect(shared.rungs[0]!.videoBitrate).toBe(999_000);
    expect(tl.runs.get(1)!.ladder.rungs[0]!.videoBitrate).toBe(ladder.rungs[0]!.videoBitrate);
    declared.rungs[0]!.videoBitrate = 1;
    expect(shared.rungs[0]!.videoBitrate).toBe(999_000);
  });

  it('starts a period no earlier than the previous one ends, keeping its frames at their wall clock', () => {
    // Run 2 started from a GOP run 1 had already written: its media time 0 is 1.5 s before run 1's end (6 s).
    const tl = twoRuns(ladder, 6.5);
    const mpd = renderDashManifest(tl, { ...options, ended: false });
    expect([...mpd.matchAll(/<Period id="(r\d)" start="([^"]+)"/g)].map((m) => `${m[1]}@${m[2]}`)).toEqual(['r1@PT0.000S', 'r2@PT6.000S']);
    // 1.5 s into run 2's media, on its own timescales: the frame at 6 s of the presentation is the one HLS dates T0 + 6 s.
    const period2 = mpd.slice(mpd.indexOf('<Period id="r2"'));
    expect(period2.match(/presentationTimeOffset="(\d+)"/g)).toEqual([
      ...ladder.rungs.map(() => `presentationTimeOffset="${1.5 * 15360}"`),
      `presentationTimeOffset="${1.5 * 48000}"`,
    ]);
    const pdt = tl.renditions.get('0')!.segments.find((seg) => seg.run === 2)!.pdt;
    expect(pdt.getTime() - T0.getTime()).toBe(4500);
    expect(mpd.slice(0, mpd.indexOf('<Period id="r2"'))).not.toContain('presentationTimeOffset');
    // A run that starts after the previous one ended keeps its anchor, with no offset.
    expect(renderDashManifest(twoRuns(), { ...options, ended: false })).not.toContain('presentationTimeOffset');
  });
});
