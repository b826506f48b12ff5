import { type ChildProcess, execFile } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import HLS from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveEnd } from '../../bench/lib/simulated-viewers.js';
import { livestreamDir, mediaPlaylistName, mediaSegmentName } from '../src/media/media-layout.js';
import { FileCache } from '../src/origin/file-cache.js';
import { LiveEdges } from '../src/packager/live-edge.js';
import { LivePackager } from '../src/packager/live-packager.js';
import { liveRoutes } from '../src/http/routes/live.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { SMALL_LADDER, spawnPacedCmafRun } from './fixtures/cmaf-run.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const makeTempDir = tempDirs();
const ID = 'llhlsTest001';
const BROADCAST = 'bllhls0001';
const TOP = mediaPlaylistName(SMALL_LADDER.rungs[0]!.name);
/** 2 s segments of 0.5 s parts at 30 fps. */
const PARTS_PER_SEGMENT = 4;

// The packager and the origin against Axon's own FFmpeg command paced in real time (-re): parts appear
// as FFmpeg writes them, as in a broadcast.
describe('LL-HLS at the origin', () => {
  let app: FastifyInstance;
  let h2App: Pick<FastifyInstance, 'close' | 'server'>;
  let base: string;
  let h2Origin: string;
  let packager: LivePackager;
  let ffmpeg: ChildProcess;
  let root: string;
  const edges = new LiveEdges();
  /** What Fastify logs at warn and above: a request answered twice shows up here. */
  const fastifyWarnings: string[] = [];
  const logger = { level: 'warn', stream: { write: (line: string) => void fastifyWarnings.push(line) } };

  beforeAll(async () => {
    const mediaDir = makeTempDir('axon-llhls-');
    root = livestreamDir(mediaDir, ID);
    fs.mkdirSync(root, { recursive: true });
    packager = new LivePackager({
      root, broadcastId: BROADCAST, ladder: SMALL_LADDER, windowS: 60, utcTimingUrl: 'http://127.0.0.1:1/api/time', edges, log: capturedLogger(),
    });
    await packager.prepare();
    const runDir = await packager.startRun(1);
    ffmpeg = spawnPacedCmafRun(runDir, 30);
    app = Fastify({ logger });
    const files = new FileCache({ maxBytes: 8 * 2 ** 20 });
    await app.register(liveRoutes, { mediaDir, files, edges });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/live/${ID}`;
    // The same routes over HTTP/2 (cleartext here; Axon's TLS listener speaks it with ALPN).
    const h2 = Fastify({ http2: true, logger }) as unknown as FastifyInstance;
    await h2.register(liveRoutes, { mediaDir, files, edges });
    await h2.listen({ host: '127.0.0.1', port: 0 });
    h2App = h2;
    h2Origin = `http://127.0.0.1:${(h2App.server.address() as { port: number }).port}`;
    await waitFor('a playlist with parts', () => edges.get(path.resolve(root))?.playlist(TOP)?.position.lastPart !== undefined, 20_000);
  }, 30_000);

  afterAll(async () => {
    ffmpeg?.kill('SIGKILL');
    packager?.close();
    await app?.close();
    await h2App?.close();
  });

  const playlist = async (query = '') => {
    const res = await fetch(`${base}/${TOP}${query}`);
    return { status: res.status, text: await res.text(), cache: res.headers.get('cache-control') };
  };
  const position = () => edges.get(path.resolve(root))!.playlist(TOP)!.position;

  it('serves an LL-HLS playlist that hls-parser reads: parts, preload hint, server control, rendition reports', async () => {
    const { status, text } = await playlist();
    expect(status).toBe(200);
    const parsed = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(parsed.lowLatencyCompatibility).toMatchObject({ canBlockReload: true });
    expect(parsed.partTargetDuration).toBeGreaterThan(0.5);
    expect(text).toMatch(/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="[^"]+",BYTERANGE-START=\d+/);
    expect(text.match(/#EXT-X-RENDITION-REPORT:/g)).toHaveLength(2);
    const withParts = parsed.segments.filter((s) => s.parts.length > 0);
    expect(withParts.length).toBeGreaterThan(0);
  });

  it('holds a blocking reload until the next part exists and answers before the part after it', async () => {
    for (let i = 0; i < 3; i++) {
      const now = position();
      // The part after the newest one: in the segment being written, or the first of the next one.
      const next = (now.lastPart ?? -1) + 1;
      const msn = next < PARTS_PER_SEGMENT ? now.lastMsn : now.lastMsn + 1;
      const part = next < PARTS_PER_SEGMENT ? next : 0;
      const { status, text, cache } = await playlist(`?_HLS_msn=${msn}&_HLS_part=${part}`);
      expect(status).toBe(200);
      expect(cache).toBe('public, max-age=6');
      // The newest part the answer lists, counted in parts from the start of segment `msn` (4 parts a segment).
      const end = liveEnd(text);
      const newest = (end.msn - msn) * PARTS_PER_SEGMENT + end.parts - 1;
      expect(newest).toBeGreaterThanOrEqual(part);
      // Answered at the update that brought the part: not a part later, let alone at the next segment.
      expect(newest).toBeLessThanOrEqual(part + 1);
    }
  });

  it('refuses a blocking reload more than two segments ahead with 400, and a malformed one too', async () => {
    const { lastMsn } = position();
    expect((await playlist(`?_HLS_msn=${lastMsn + 3}`)).status).toBe(400);
    expect((await playlist('?_HLS_part=1')).status).toBe(400);
    expect((await playlist('?_HLS_msn=-1')).status).toBe(400);
  });

  it('serves the parts of the segment being written from memory, and the same bytes once it is complete', async () => {
    const edge = edges.get(path.resolve(root))!;
    await waitFor('a part of the segment being written', () => position().lastMsn > position().completeMsn);
    const { text } = await playlist();
    const growingNumber = Number(/seg-0-(\d+)\.m4s",BYTERANGE-START/.exec(text)![1]);
    const uri = `${BROADCAST}/r1/${mediaSegmentName('0', growingNumber)}`;
    const seg = edge.segment(uri)!;
    const first = seg.parts[0]!;
    const res = await fetch(`${base}/${uri}`, { headers: { Range: `bytes=${first.offset}-${first.offset + first.length - 1}` } });
    expect(res.status).toBe(206);
    const partBytes = Buffer.from(await res.arrayBuffer());
    // The preload hint: held until the next part is written, then exactly that part.
    const hinted = seg.parts.at(-1)!.offset + seg.parts.at(-1)!.length;
    const hint = await fetch(`${base}/${uri}`, { headers: { Range: `bytes=${hinted}-` } });
    expect(hint.status).toBe(206);
    const hintBytes = Buffer.from(await hint.arrayBuffer());
    expect(hint.headers.get('content-range')).toMatch(new RegExp(`^bytes ${hinted}-\\d+/(\\*|\\d+)$`));
    // The whole segment, streamed as FFmpeg writes it (what LL-DASH players ask for).
    const whole = Buffer.from(await (await fetch(`${base}/${uri}`)).arrayBuffer());
    const onDisk = fs.readFileSync(path.join(root, uri));
    expect(whole.equals(onDisk)).toBe(true);
    expect(partBytes.equals(onDisk.subarray(first.offset, first.offset + first.length))).toBe(true);
    expect(hintBytes.equals(onDisk.subarray(hinted, hinted + hintBytes.length))).toBe(true);
  });

  it('holds a request for the segment after the one being written (announced to LL-DASH) until it starts, then streams it whole', async () => {
    const edge = edges.get(path.resolve(root))!;
    await waitFor('a part of the segment being written', () => position().lastMsn > position().completeMsn);
    const { text } = await playlist();
    const growingNumber = Number(/seg-0-(\d+)\.m4s",BYTERANGE-START/.exec(text)![1]);
    const uri = `${BROADCAST}/r1/${mediaSegmentName('0', growingNumber + 1)}`;
    // Not started: a player whose clock says it is available asks for it a little early.
    expect(edge.segment(uri)).toBeUndefined();
    expect(edge.expects(uri)).toBe(true);
    const res = await fetch(`${base}/${uri}`);
    expect(res.status).toBe(200);
    const whole = Buffer.from(await res.arrayBuffer());
    expect(whole.equals(fs.readFileSync(path.join(root, uri)))).toBe(true);
    // A segment further ahead is not announced: no hold, the disk answers.
    expect((await fetch(`${base}/${BROADCAST}/r1/${mediaSegmentName('0', growingNumber + 9)}`)).status).toBe(404);
  });

  it('lists parts that add up to their segment, the first one independent', async () => {
    const parsed = HLS.parse((await playlist()).text) as HLS.types.MediaPlaylist;
    const complete = parsed.segments.filter((s) => s.parts.length > 0 && s.duration > 0);
    expect(complete.length).toBeGreaterThan(0);
    for (const s of complete) {
      const sum = s.parts.reduce((a, p) => a + (p.duration ?? 0), 0);
      expect(Math.abs(sum - s.duration)).toBeLessThan(0.001);
      expect(s.parts[0]!.independent).toBe(true);
      expect(s.parts.slice(1).some((p) => p.independent)).toBe(false);
    }
  });

  it('still plays as standard HLS in a reader without LL-HLS (FFmpeg)', async () => {
    const { stderr } = await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', `${base}/master.m3u8`, '-t', '1', '-f', 'null', '-'], { timeout: 20_000 });
    expect(stderr).toBe('');
  });

  it('serves blocking reloads and the segment being written over HTTP/2', async () => {
    const session = http2.connect(h2Origin);
    const get = (urlPath: string) =>
      new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const stream = session.request({ ':path': urlPath });
        const chunks: Buffer[] = [];
        let status = 0;
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
        stream.on('error', reject);
      });
    try {
      const { lastMsn } = position();
      const held = await get(`/live/${ID}/${TOP}?_HLS_msn=${lastMsn + 1}&_HLS_part=0`);
      expect(held.status).toBe(200);
      expect(liveEnd(held.body.toString()).msn).toBeGreaterThanOrEqual(lastMsn + 1);
      const uri = /URI="([^"]+)",BYTERANGE-START=/.exec(held.body.toString())![1]!;
      const streamed = await get(`/live/${ID}/${uri}`);
      expect(streamed.status).toBe(200);
      expect(streamed.body.equals(fs.readFileSync(path.join(root, uri)))).toBe(true);
    } finally {
      session.close();
    }
  });

  it('answers every request once: the live edge answer is never followed by a second one from disk', () => {
    // Each test above has had its answers; a reply sent twice is logged as FST_ERR_REP_ALREADY_SENT.
    expect(fastifyWarnings.filter((line) => line.includes('FST_ERR_REP_ALREADY_SENT') || line.includes('already sent'))).toEqual([]);
  });
});
