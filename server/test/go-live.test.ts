import { type ChildProcess, execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import HLS from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveRoutes } from '../src/http/routes/live.js';
import { livestreamDir, liveRunDir, mediaPlaylistName, mediaSegmentName } from '../src/media/media-layout.js';
import { FileCache } from '../src/origin/file-cache.js';
import { LiveEdges } from '../src/packager/live-edge.js';
import { LivePackager } from '../src/packager/live-packager.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { SMALL_LADDER, SMALL_LADDER_IDS, spawnPacedCmafRun } from './fixtures/cmaf-run.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const makeTempDir = tempDirs();
const ID = 'goLiveTest01';
const BROADCAST = 'bgolive001';
const TOP = mediaPlaylistName(SMALL_LADDER.rungs[0]!.name);

interface AtPlayable {
  /** Renditions whose first segment was complete when the broadcast turned playable. */
  complete: string[];
  master: { status: number; text: string };
  firstPart: { status: number; text: string };
  mpd: { status: number; text: string };
  /** A request without directives, sent then; answered later. */
  plain: Promise<{ status: number; text: string; firstSegmentDone: boolean }>;
  /** FFmpeg's HLS reader, started then. */
  reader: Promise<{ stderr: string }>;
}

// The packager and the origin against Axon's own FFmpeg command paced in real time (-re), from its start.
describe('go-live at the first part', () => {
  let app: FastifyInstance;
  let packager: LivePackager;
  let ffmpeg: ChildProcess;
  let at: AtPlayable;

  beforeAll(async () => {
    const mediaDir = makeTempDir('axon-golive-');
    const root = livestreamDir(mediaDir, ID);
    fs.mkdirSync(root, { recursive: true });
    const edges = new LiveEdges();
    packager = new LivePackager({
      root, broadcastId: BROADCAST, ladder: SMALL_LADDER, windowS: 60, utcTimingUrl: 'http://127.0.0.1:1/api/time', edges, log: capturedLogger(),
    });
    app = Fastify();
    await app.register(liveRoutes, { mediaDir, files: new FileCache({ maxBytes: 8 * 2 ** 20 }), edges });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/live/${ID}`;
    const get = async (name: string) => {
      const res = await fetch(`${base}/${name}`);
      return { status: res.status, text: await res.text() };
    };
    const firstSegment = (rendition: string) => path.join(root, liveRunDir(BROADCAST, 1), mediaSegmentName(rendition, 1));
    const complete = () => SMALL_LADDER_IDS.filter((id) => fs.existsSync(firstSegment(id)));

    const playable = new Promise<AtPlayable>((resolve) => {
      packager.once('playable', () => {
        const done = complete();
        const plain = get(TOP).then((r) => ({ ...r, firstSegmentDone: fs.existsSync(firstSegment('0')) }));
        const reader = promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', `${base}/master.m3u8`, '-t', '1', '-f', 'null', '-'], { timeout: 20_000 });
        void Promise.all([get('master.m3u8'), get(`${TOP}?_HLS_msn=0&_HLS_part=0`), get('manifest.mpd')]).then(([master, firstPart, mpd]) =>
          resolve({ complete: done, master, firstPart, mpd, plain, reader }),
        );
      });
    });
    await packager.prepare();
    const runDir = await packager.startRun(1);
    ffmpeg = spawnPacedCmafRun(runDir, 20);
    at = await playable;
  }, 30_000);

  afterAll(async () => {
    ffmpeg?.kill('SIGKILL');
    packager?.close();
    await app?.close();
  });

  it('turns playable when every rendition has its first part, before any has a complete segment', () => {
    expect(at.complete).toEqual([]);
    expect(at.master.status).toBe(200);
    const master = HLS.parse(at.master.text) as HLS.types.MasterPlaylist;
    expect(master.variants).toHaveLength(SMALL_LADDER.rungs.length);
  });

  it('answers an LL-HLS request for the first part with a playlist of parts that hls-parser reads', () => {
    expect(at.firstPart.status).toBe(200);
    const parsed = HLS.parse(at.firstPart.text) as HLS.types.MediaPlaylist;
    expect(parsed.lowLatencyCompatibility).toMatchObject({ canBlockReload: true });
    // The broadcast's first number: the parts listed are its first segment's.
    expect(parsed.mediaSequenceBase).toBe(packager.timeline.renditions.get('0')!.mediaSequence);
    expect(at.firstPart.text).toMatch(/#EXT-X-MAP:URI="[^"]+"\n#EXT-X-PROGRAM-DATE-TIME:[^\n]+\n#EXT-X-PART:DURATION=[\d.]+,URI="[^"]+-00001\.m4s",BYTERANGE="\d+@0",INDEPENDENT=YES\n/);
    expect(at.firstPart.text).toMatch(/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="[^"]+-00001\.m4s",BYTERANGE-START=\d+/);
  });

  it('announces the first segment of every representation, and the one after it, in a dynamic LL-DASH manifest', () => {
    expect(at.mpd.status).toBe(200);
    expect(at.mpd.text).toContain('type="dynamic"');
    expect(at.mpd.text.match(/<Representation /g)).toHaveLength(SMALL_LADDER_IDS.length);
    expect(at.mpd.text.match(/<SegmentTemplate [^>]*startNumber="1" availabilityTimeOffset="[\d.]+"/g)).toHaveLength(SMALL_LADDER_IDS.length);
    expect(at.mpd.text.match(/<SegmentTimeline><S t="\d+" d="\d+" r="1"\/><\/SegmentTimeline>/g)).toHaveLength(SMALL_LADDER_IDS.length);
  });

  it('holds a request without directives until the first segment is complete, then lists it', async () => {
    const plain = await at.plain;
    expect(plain.status).toBe(200);
    expect(plain.firstSegmentDone).toBe(true);
    expect((HLS.parse(plain.text) as HLS.types.MediaPlaylist).segments.filter((s) => s.duration > 0).length).toBeGreaterThan(0);
  });

  it('plays in a reader without LL-HLS (FFmpeg) that opens the broadcast as it turns playable', async () => {
    expect((await at.reader).stderr).toBe('');
  });
});
