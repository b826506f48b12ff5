import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IngestHealth } from '../../shared/ingest-health.js';
import type { Livestream } from '../../shared/livestream.js';
import { apiCaller } from './fixtures/api-call.js';
import { type AxonProcess, startAxon } from './fixtures/axon-process.js';
import { FfmpegRtmpPublisher, type RtmpPublisherOptions } from './fixtures/ffmpeg-rtmp-publisher.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const TOKEN = 'top-rung-test-token-0123456789';
const makeTempDir = tempDirs();
let axon: AxonProcess;
const call = apiCaller(() => axon.base, TOKEN);
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  // A 320x180 source is its own top rung (180p) above the 144p one.
  axon = await startAxon(makeTempDir('axon-top-rung-'), TOKEN, { AXON_LADDER: '144', AXON_RECONNECT_WINDOW_S: '0' });
}, 90_000);
afterAll(() => axon?.kill());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function goLive(o: Omit<RtmpPublisherOptions, 'url'>): Promise<Livestream> {
  const ls = (await call('POST', '/api/livestreams', { body: { name: 'Top rung', record: false } })).json as Livestream;
  const publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${axon.rtmpPort}/live/${ls.streamKey}`, width: 320, height: 180, ...o });
  cleanups.push(() => publisher.kill());
  await waitFor('the broadcast to be live', async () => ((await call('GET', `/api/livestreams/${ls.id}`)).json.status === 'live' ? true : undefined));
  return ls;
}

const topRung = async (id: string) => ((await call('GET', `/api/livestreams/${id}`)).json.health as IngestHealth | undefined)?.topRung;

/** The transcoding FFmpeg's arguments, from the server's children (the one writing CMAF segments). */
function transcoderArgs(): string[] | undefined {
  const tasks = fs.readdirSync(`/proc/${axon.child.pid}/task`);
  const children = tasks.flatMap((t) => fs.readFileSync(`/proc/${axon.child.pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean));
  for (const pid of children) {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (args.includes('dash')) return args;
  }
  return undefined;
}
const copiesTopRung = (args: string[]) => args.join(' ').includes('-map 0:v:0 -c:v:0 copy');

/** The first SPS of an AVCDecoderConfigurationRecord. */
function spsOfRecord(record: Buffer): Buffer {
  return record.subarray(8, 8 + record.readUInt16BE(6));
}

/** The SPS of an FLV file's first AVC sequence header. */
function flvSps(file: string): Buffer {
  const flv = fs.readFileSync(file);
  for (let at = 13; at + 11 < flv.length; ) {
    const size = flv.readUIntBE(at + 1, 3);
    const body = flv.subarray(at + 11, at + 11 + size);
    if (flv[at] === 9 && (body[0]! & 0x0f) === 7 && body[1] === 0) return spsOfRecord(body.subarray(5));
    at += 11 + size + 4;
  }
  throw new Error('no AVC sequence header');
}

/** The SPS in an init segment's avcC box. */
function initSps(init: Buffer): Buffer {
  const at = init.indexOf('avcC');
  if (at < 0) throw new Error('no avcC box');
  return spsOfRecord(init.subarray(at + 4));
}

describe('top-rung passthrough', () => {
  it('copies an RTMP source with a 2 s GOP as the top rung: its SPS in the init segment, its codec and size in the master', async () => {
    const file = path.join(makeTempDir('axon-top-rung-src-'), 'gop2.flv');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30', '-f', 'lavfi', '-i', 'sine=sample_rate=48000',
      '-t', '40', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', '60', '-sc_threshold', '0', '-c:a', 'aac', file]);
    const ls = await goLive({ file });
    expect(await topRung(ls.id)).toEqual({ mode: 'copy', reason: expect.stringMatching(/H\.264 has a keyframe every 2 s$/) });
    expect(copiesTopRung(transcoderArgs()!)).toBe(true);

    const playlist = await (await fetch(`${axon.base}/live/${ls.id}/180p.m3u8`)).text();
    const initUri = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)![1]!;
    const init = Buffer.from(await (await fetch(new URL(initUri, `${axon.base}/live/${ls.id}/180p.m3u8`))).arrayBuffer());
    const sps = flvSps(file);
    expect(initSps(init).equals(sps)).toBe(true);
    const codec = `avc1.${sps.subarray(1, 4).toString('hex')}`;
    const master = await (await fetch(`${axon.base}/live/${ls.id}/master.m3u8`)).text();
    expect(master).toMatch(new RegExp(`RESOLUTION=320x180,FRAME-RATE=30.000,CODECS="${codec},mp4a.40.2"`));
  }, 90_000);

  it('encodes an RTMP source with a 5 s GOP and says why in its health', async () => {
    const ls = await goLive({ keyframeIntervalS: 5 });
    await waitFor('the reason', async () => (/^keyframes every 5\.0 s; passthrough needs one every 2 s/.test((await topRung(ls.id))?.reason ?? '') ? true : undefined), 30_000);
    expect((await topRung(ls.id))?.mode).toBe('encode');
    await waitFor('an encoding FFmpeg', () => {
      const args = transcoderArgs();
      return args && !copiesTopRung(args) ? true : undefined;
    });
  }, 90_000);

  it('switches to encoding with a discontinuity when the source goes from 2 s to 6 s GOPs, and an HLS reader keeps reading', async () => {
    // One encoder: keyframes every 2 s for 12 s, then every 6 s.
    const ls = await goLive({ keyframeIntervalS: 6, forceKeyFrames: 'expr:if(lt(t,12),gte(t,n_forced*2),gte(t,12+(n_forced-6)*6))' });
    expect((await topRung(ls.id))?.mode).toBe('copy');
    const reader = readHls(`${axon.base}/live/${ls.id}/180p.m3u8`);
    cleanups.push(() => reader.stop());
    await waitFor('the switch to encoding', async () => ((await topRung(ls.id))?.mode === 'encode' ? true : undefined), 40_000);
    expect((await topRung(ls.id))?.reason).toMatch(/^keyframes every/);
    await waitFor('the discontinuity in the playlist', async () =>
      (await (await fetch(`${axon.base}/live/${ls.id}/180p.m3u8`)).text()).includes('#EXT-X-DISCONTINUITY') ? true : undefined,
    );
    const framesAtSwitch = reader.frames();
    await waitFor('the reader to read 4 s past the switch', () => (reader.frames() > framesAtSwitch + 120 ? true : undefined), 30_000);
    expect(reader.exitCode()).toBeNull();
    // DASH: the encoded run's period declares its own codec, and starts where the copied run's media ends.
    const [copied, encoded] = mpdPeriods(await (await fetch(`${axon.base}/live/${ls.id}/manifest.mpd`)).text());
    // x264's ultrafast preset (the publisher's) writes Constrained Baseline; the ladder encodes High.
    expect(copied!.codec).toMatch(/^avc1\.42/);
    expect(encoded!.codec).not.toBe(copied!.codec);
    expect(encoded!.startS).toBeGreaterThanOrEqual(copied!.endS - 0.001);
  }, 120_000);
});

/** FFmpeg's HLS demuxer decoding a live playlist, counting the frames it decoded. */
function readHls(url: string) {
  const child: ChildProcess = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', url, '-map', '0:v:0', '-f', 'null', '-', '-progress', 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let frames = 0;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const m of chunk.matchAll(/^frame=(\d+)$/gm)) frames = Number(m[1]);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    frames: () => frames,
    exitCode: () => child.exitCode,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Each Period of an MPD with its top rung's codec, its start and where its top rung's media ends on the
 * presentation timeline (s), from its SegmentTimeline and presentationTimeOffset.
 */
function mpdPeriods(mpd: string): Array<{ codec: string; startS: number; endS: number }> {
  return [...mpd.matchAll(/<Period id="r\d+" start="PT([\d.]+)S">(.*?)<\/Period>/g)].map(([, start, body]) => {
    const top = /<Representation id="0" [^>]*codecs="([^"]+)"[^>]*><SegmentTemplate timescale="(\d+)"(?: presentationTimeOffset="(\d+)")?.*?<SegmentTimeline>(.*?)<\/SegmentTimeline>/.exec(body!)!;
    const [, codec, timescale, offset = '0', entries] = top;
    const last = [...entries!.matchAll(/<S t="(\d+)" d="(\d+)"(?: r="(\d+)")?\/>/g)].at(-1)!;
    const end = Number(last[1]) + Number(last[2]) * (1 + Number(last[3] ?? 0));
    return { codec: codec!, startS: Number(start), endS: Number(start) + (end - Number(offset)) / Number(timescale) };
  });
}
