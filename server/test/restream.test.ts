import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Livestream } from '../../shared/livestream.js';
import type { RestreamTarget } from '../../shared/restream.js';
import type { WebhookDeliveryList } from '../../shared/webhooks.js';
import { createTestCa, type TestCa } from '../../e2e/fixtures/test-ca.js';
import { type AxonProcess, freePort, startAxon } from './fixtures/axon-process.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { type NginxRtmp, startNginxRtmp } from './fixtures/nginx-rtmp.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';
import { WrtcClient } from './fixtures/webrtc-http-server.js';

const TOKEN = 'restream-source-token-0123456789';
const DEST_TOKEN = 'restream-destination-token-0123456789';
const makeTempDir = tempDirs();
const secret = (what: string) => `${what}-${randomBytes(12).toString('base64url')}`;
const NGINX_KEY = secret('nginx-key');
const NGINX_KEY_WHIP = secret('nginx-key-whip');
const WRONG_KEY = secret('wrong-key');
const FIXED_KEY = secret('fixed-key');

let ca: TestCa;
let nginx: NginxRtmp;
/** The broadcasting Axon, whose targets are nginx and `dest`. */
let source: AxonProcess;
/** A second Axon taking RTMPS: a destination with a certificate to check. */
let dest: AxonProcess;
let destRtmpsPort: number;

/** A JSON call to the API of an Axon (over HTTPS: trusting the test CA only). */
async function api<T>(server: AxonProcess, method: string, url: string, body?: unknown): Promise<{ status: number; text: string; json: T }> {
  const token = server === dest ? DEST_TOKEN : TOKEN;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) };
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const { status, text } = server.base.startsWith('https:')
    ? await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = https.request(server.base + url, { method, headers, ca: ca.caCertPem }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject).end(payload);
      })
    : await fetch(server.base + url, { method, headers, body: payload }).then(async (r) => ({ status: r.status, text: await r.text() }));
  return { status, text, json: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** Video frames FFmpeg decodes from the first seconds of `input` (up to 30), with the codec and size it reads. */
async function decodeVideo(input: string): Promise<{ frames: number; stream: string }> {
  const run = promisify(execFile);
  const probe = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', input], { timeout: 20_000 });
  const decoded = await run('ffmpeg', ['-v', 'error', '-i', input, '-map', '0:v:0', '-frames:v', '30', '-f', 'null', '-', '-progress', 'pipe:1'], { timeout: 30_000 });
  const frames = Number([...decoded.stdout.matchAll(/^frame=(\d+)$/gm)].at(-1)?.[1] ?? 0);
  return { frames, stream: probe.stdout.trim() };
}

const targets = async (livestreamId: string) => (await api<{ items: RestreamTarget[] }>(source, 'GET', `/api/livestreams/${livestreamId}/restreams`)).json.items;

async function targetState(livestreamId: string, name: string, match: (t: RestreamTarget) => boolean, what: string, timeoutMs = 30_000): Promise<RestreamTarget> {
  return waitFor(`${name} ${what}`, async () => (await targets(livestreamId)).find((t) => t.name === name && match(t)), timeoutMs);
}

async function newLivestream(server: AxonProcess, name: string): Promise<Livestream> {
  return (await api<Livestream>(server, 'POST', '/api/livestreams', { name, record: false })).json;
}

/** The newest segment line of the first rung's live playlist on `server`. */
async function newestSegment(server: AxonProcess, livestreamId: string): Promise<string | undefined> {
  const master = await (await fetch(`${server.base}/live/${livestreamId}/master.m3u8`)).text();
  const rung = master.split('\n').find((l) => l.endsWith('.m3u8'));
  if (!rung) return undefined;
  const playlist = await (await fetch(`${server.base}/live/${livestreamId}/${rung}`)).text();
  return playlist.split('\n').filter((l) => l.endsWith('.m4s')).at(-1);
}

beforeAll(async () => {
  ca = await createTestCa();
  const tls = { certPath: path.join(ca.dir, 'cert.pem'), keyPath: path.join(ca.dir, 'key.pem') };
  await ca.issue({ ip: '127.0.0.1', ...tls });
  nginx = await startNginxRtmp(makeTempDir('axon-restream-nginx-'), [NGINX_KEY, NGINX_KEY_WHIP, FIXED_KEY]);
  destRtmpsPort = await freePort();
  dest = await startAxon(makeTempDir('axon-restream-dest-'), DEST_TOKEN, {
    AXON_TLS_CERT: tls.certPath,
    AXON_TLS_KEY: tls.keyPath,
    RTMPS_PORT: String(destRtmpsPort),
    RTC_MIN_PORT: '48700',
    RTC_MAX_PORT: '48799',
  });
  // Debug: every line FFmpeg prints reaches the log, which must still hold no key.
  source = await startAxon(makeTempDir('axon-restream-source-'), TOKEN, { AXON_RESTREAM_CA_FILE: ca.caCertPath, AXON_LOG_LEVEL: 'debug' });
}, 120_000);

afterAll(async () => {
  await source?.kill();
  await dest?.kill();
  await nginx?.close();
  ca?.close();
});

describe('restream', () => {
  it('pushes an RTMP broadcast to nginx and to another Axon over RTMPS, fails a refused key until it is changed, recovers a destination that went away and follows a reconnecting publisher', async () => {
    const live = await newLivestream(source, 'restreamed over RTMP');
    const destLive = await newLivestream(dest, 'restream destination');
    const hook = (await api<{ id: string }>(source, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/', events: ['restream.failed'] })).json;
    const add = (name: string, url: string, streamKey: string) => api<RestreamTarget>(source, 'POST', `/api/livestreams/${live.id}/restreams`, { name, url, streamKey });
    const answers = [
      await add('nginx', nginx.url, NGINX_KEY),
      await add('wrong key', nginx.url, WRONG_KEY),
      await add('axon', `rtmps://127.0.0.1:${destRtmpsPort}/live`, destLive.streamKey),
    ];
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);

    let publisher = new FfmpegRtmpPublisher({ url: `${live.rtmpUrl}/${live.streamKey}` });
    try {
      const first = await targetState(live.id, 'nginx', (t) => t.status === 'live', 'live');
      expect(first.source).toBe('passthrough');
      await targetState(live.id, 'axon', (t) => t.status === 'live', 'live');
      const refused = await targetState(live.id, 'wrong key', (t) => t.status === 'failed', 'failed');
      expect(refused.reason).toMatchObject({ code: 'refused_key', message: expect.stringContaining('…') });

      // The refused target leaves the broadcast and the other targets alone.
      const before = await newestSegment(source, live.id);
      await waitFor('the source playlist to move on', async () => {
        const now = await newestSegment(source, live.id);
        return now !== undefined && now !== before;
      });
      await waitFor('the other Axon to be live', async () => (await api<Livestream>(dest, 'GET', `/api/livestreams/${destLive.id}`)).json.status === 'live', 30_000);
      expect(await decodeVideo(`${dest.base}/live/${destLive.id}/master.m3u8`)).toMatchObject({ frames: 30 });
      expect(await decodeVideo(nginx.recordings(NGINX_KEY)[0]!)).toEqual({ frames: 30, stream: 'h264,640,360' });
      expect(await targets(live.id)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'nginx', bitrateOut: expect.any(Number), uptimeS: expect.any(Number) })]));
      const metrics = await (await fetch(`${source.base}/metrics`)).text();
      expect(metrics).toContain(`axon_restream_live{livestream="${live.id}",restream="${first.id}"} 1`);

      // The destination goes away mid-stream, then comes back.
      await nginx.kill();
      const retrying = await targetState(live.id, 'nginx', (t) => t.status === 'retrying', 'retrying');
      expect(['disconnected', 'unreachable']).toContain(retrying.reason?.code);
      await nginx.start();
      await targetState(live.id, 'nginx', (t) => t.status === 'live', 'live again', 45_000);
      expect((await targets(live.id)).find((t) => t.name === 'axon')?.status).toBe('live');
      await waitFor('a second recording on nginx', () => nginx.recordings(NGINX_KEY).length === 2);

      // The publisher drops and comes back within the reconnect window: the targets follow it.
      await publisher.kill();
      await targetState(live.id, 'nginx', (t) => t.status === 'connecting', 'waiting for the publisher');
      publisher = new FfmpegRtmpPublisher({ url: `${live.rtmpUrl}/${live.streamKey}` });
      await targetState(live.id, 'nginx', (t) => t.status === 'live', 'live after the publisher returned');
      await targetState(live.id, 'axon', (t) => t.status === 'live', 'live after the publisher returned');

      // A failed target is tried again when its owner changes it: the same key fails again, the right one goes live.
      const deliveries = async () => (await api<WebhookDeliveryList>(source, 'GET', `/api/webhooks/${hook.id}/deliveries`)).json.items;
      await api(source, 'PATCH', `/api/livestreams/${live.id}/restreams/${refused.id}`, { enabled: true });
      await waitFor('a second restream.failed', async () => (await deliveries()).length === 2);
      const fixed = await api(source, 'PATCH', `/api/livestreams/${live.id}/restreams/${refused.id}`, { streamKey: FIXED_KEY });
      await targetState(live.id, 'wrong key', (t) => t.status === 'live', 'live with the right key');
      const failures = await deliveries();
      expect(failures.map((d) => d.payload)).toEqual(
        Array(2).fill(
          expect.objectContaining({ type: 'restream.failed', data: expect.objectContaining({ livestreamId: live.id, name: 'wrong key', reason: expect.objectContaining({ code: 'refused_key' }) }) }),
        ),
      );

      const everything = [...answers.map((a) => a.text), fixed.text, JSON.stringify(await targets(live.id)), JSON.stringify(failures), source.output()].join('\n');
      for (const key of [NGINX_KEY, WRONG_KEY, FIXED_KEY, destLive.streamKey]) expect(everything).not.toContain(key);
    } finally {
      await publisher.kill();
    }
    // The broadcast ends once the publisher has not come back within the reconnect window (30 s by default).
    await waitFor('every target to be idle', async () => (await targets(live.id)).every((t) => t.status === 'idle' && t.source === null), 60_000);
  }, 210_000);

  it('pushes a WHIP (VP8) broadcast through its top rung', async () => {
    const live = await newLivestream(source, 'restreamed over WHIP');
    await api(source, 'POST', `/api/livestreams/${live.id}/restreams`, { name: 'nginx', url: nginx.url, streamKey: NGINX_KEY_WHIP });
    const publisher = WrtcClient.publish(`${source.base}/whip/${live.id}`, live.streamKey, '--size', '640x360');
    try {
      const pushed = await targetState(live.id, 'nginx', (t) => t.status === 'live', 'live', 45_000);
      expect(pushed.source).toBe('rung');
      await waitFor('the recording on nginx', () => nginx.recordings(NGINX_KEY_WHIP)[0]);
      // A few segments in, so that there are 30 frames to decode.
      await new Promise((r) => setTimeout(r, 3000));
      expect(await decodeVideo(nginx.recordings(NGINX_KEY_WHIP)[0]!)).toEqual({ frames: 30, stream: 'h264,640,360' });
    } finally {
      await publisher.kill();
    }
    expect(source.output()).not.toContain(NGINX_KEY_WHIP);
  }, 120_000);
});
