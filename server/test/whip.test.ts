import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'sdp-transform';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../shared/livestream.js';
import type { PublishRefusalCode } from '../../shared/publish-refusal.js';
import { createLogger } from '../src/log.js';
import { StreamSession } from '../src/session/stream-session.js';
import { CONNECT_TIMEOUT_MS } from '../src/sfu/transport-watchdog.js';
import type { LivestreamRecord } from '../src/store/livestream-repository.js';
import { chromeSimulcastOffer, firefoxOffer, obsOffer } from './fixtures/sdp-offers.js';
import { waitFor } from './fixtures/wait-for.js';
import { startWebRtcHttpServer, WrtcClient, type WebRtcHttpServer } from './fixtures/webrtc-http-server.js';

const log = createLogger('whip-test');
/** Short, so that a publisher that does not return is given up on within a test. */
const RECONNECT_WINDOW_S = 5;
let server: WebRtcHttpServer;
const clients: WrtcClient[] = [];

const whipUrl = (id: string) => `${server.base}/whip/${id}`;
const sdpHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/sdp' });

function post(ls: LivestreamRecord, body: string, headers: Record<string, string> = sdpHeaders(ls.streamKey)) {
  return fetch(whipUrl(ls.id), { method: 'POST', headers, body });
}

function publish(ls: LivestreamRecord, ...options: string[]): WrtcClient {
  const client = WrtcClient.publish(whipUrl(ls.id), ls.streamKey, ...options);
  clients.push(client);
  return client;
}

/** Why the broadcast ends, once it has. */
const endReason = (session: StreamSession) => new Promise<string>((resolve) => session.once('ended', resolve));

/** Nothing of a publish is held any more: no reservation, router or transport. */
async function expectReleased(id: string): Promise<void> {
  await waitFor('the livestream released', () => !server.registry.isLive(id), 10_000);
  await waitFor('every router closed', async () => (await server.pool.stats()).routers === 0, 10_000);
  expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
}

beforeAll(async () => {
  // A small ladder: the 320x240 source makes 240p and 144p.
  server = await startWebRtcHttpServer(
    (config) => (id, ingest) => new StreamSession(id, ingest, { config, log }),
    { AXON_LADDER: '240,144', AXON_X264_PRESET: 'ultrafast', AXON_FPS: '15', AXON_RECONNECT_WINDOW_S: String(RECONNECT_WINDOW_S) },
  );
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.kill()));
  await server.registry.stopAll('test over');
});

afterAll(async () => {
  await server?.close();
});

describe('WHIP ingest', { timeout: 90_000 }, () => {
  it('takes a wrtc publisher (VP8 + Opus) into the same broadcast pipeline as the studio: the HLS ladder appears', async () => {
    const ls = await server.livestreams.create({ name: 'whip wrtc', record: false });
    const client = publish(ls);
    const answered = await client.waitFor('the answer', (e) => e.event === 'answered');
    expect(answered.location).toMatch(new RegExp(`^/whip/${ls.id}/sessions/[A-Za-z0-9_-]{22}$`));
    expect(answered.etag).toMatch(/^"[^"]+"$/);

    await waitFor('the broadcast live', () => server.registry.get(ls.id)?.state === 'live', 45_000);
    const session = server.registry.get(ls.id)!;
    expect(session.protocol).toBe('whip');
    // Read from the first VP8 key frame: the offer does not carry it.
    expect(session.ingest.video).toEqual({ width: 320, height: 240 });
    expect(session.realtime?.audio).toBeDefined();
    const master = fs.readFileSync(path.join(server.config.mediaDir, ls.id, 'master.m3u8'), 'utf8');
    expect([...master.matchAll(/RESOLUTION=(\d+x\d+)/g)].map((m) => m[1])).toEqual(['320x240', '192x144']);
    const status = (await (await fetch(`${server.base}/api/livestreams/${ls.id}`)).json()) as { status: string };
    expect(status.status).toBe('live');

    // A second publisher is refused while this one is live.
    const second = await post(ls, obsOffer);
    expect(second.status).toBe(409);
    expect(await second.json()).toEqual({ error: 'This livestream already has a publisher', code: 'already_live' });

    // The session resource: someone else's token cannot end it; the publisher's can (RFC 9725 §4.2).
    const resource = `${server.base}${answered.location}`;
    expect((await fetch(resource, { method: 'DELETE', headers: { authorization: 'Bearer not-the-key' } })).status).toBe(401);
    expect((await fetch(resource, { method: 'DELETE' })).status).toBe(401);
    expect(session.state).toBe('live');
    expect((await fetch(resource, { method: 'DELETE', headers: { authorization: `Bearer ${ls.streamKey}` } })).status).toBe(200);
    await waitFor('the broadcast ended', () => session.state === 'ended', 20_000);
    const playlist = fs.readFileSync(path.join(server.config.mediaDir, ls.id, '240p.m3u8'), 'utf8');
    expect(playlist).toContain('#EXT-X-ENDLIST');
    await expectReleased(ls.id);
    expect((await fetch(resource, { method: 'DELETE', headers: { authorization: `Bearer ${ls.streamKey}` } })).status).toBe(404);
  });

  it('ends the broadcast after the reconnect window when the publisher goes away without DELETE and does not return', async () => {
    const ls = await server.livestreams.create({ name: 'whip dropped', record: false });
    const client = publish(ls, '--no-audio', '--size', '160x120');
    await waitFor('the broadcast live', () => server.registry.get(ls.id)?.state === 'live', 45_000);
    const session = server.registry.get(ls.id) as StreamSession;
    const ended = endReason(session);
    expect(session.realtime?.audio).toBeUndefined();
    // Closing its peer connection without DELETE: the transport is lost, the broadcast waits for the publisher.
    await client.kill();
    await waitFor('the publisher dropped', () => session.realtime === undefined, 20_000);
    // Its FFmpeg run is stopped, and no new one starts on silence while the broadcast waits.
    await waitFor('ffmpeg stopped', () => session.ffmpegPid === undefined, 10_000);
    const pidsWhileWaiting = new Set<number | undefined>();
    const sampling = setInterval(() => pidsWhileWaiting.add(session.ffmpegPid), 100);
    expect(session.state).toBe('live');
    expect(await server.registry.status(ls.id)).toBe('live');
    expect(await ended.finally(() => clearInterval(sampling))).toBe(`the publisher did not return within ${RECONNECT_WINDOW_S} s`);
    expect([...pidsWhileWaiting]).toEqual([undefined]);
    await expectReleased(ls.id);
  });

  it('continues the same broadcast when the dropped publisher publishes again within the window; DELETE then ends it at once', async () => {
    const ls = await server.livestreams.create({ name: 'whip returns', record: false });
    const first = publish(ls, '--no-audio', '--size', '160x120');
    const firstAnswer = await first.waitFor('the answer', (e) => e.event === 'answered');
    await waitFor('the broadcast live', () => server.registry.get(ls.id)?.state === 'live', 45_000);
    const session = server.registry.get(ls.id) as StreamSession;
    const ended = endReason(session);
    const firstRouter = session.realtime!.router;
    await first.kill();
    await waitFor('the publisher dropped', () => session.realtime === undefined, 20_000);
    // The lost session's resource is gone: only the returning publisher's ends the broadcast now.
    const deleteOld = await fetch(`${server.base}${firstAnswer.location}`, { method: 'DELETE', headers: { authorization: `Bearer ${ls.streamKey}` } });
    expect(deleteOld.status).toBe(404);

    const second = publish(ls, '--no-audio', '--size', '160x120');
    const secondAnswer = await second.waitFor('the answer', (e) => e.event === 'answered');
    await waitFor('the publisher back on the broadcast', () => session.realtime !== undefined && session.ffmpegPid !== undefined, 30_000);
    expect(server.registry.get(ls.id)).toBe(session);
    expect(session.realtime!.router).not.toBe(firstRouter);
    // The next run appends to the same playlists across a discontinuity, as after an RTMP publisher's return.
    const playlist = path.join(server.config.mediaDir, ls.id, `${session.ladder.rungs[0]!.name}.m3u8`);
    await waitFor('the second run in the playlist', () => fs.readFileSync(playlist, 'utf8').includes('#EXT-X-DISCONTINUITY'), 30_000);
    expect(session.state).toBe('live');
    // A second publisher is still refused while this one is on the broadcast.
    expect((await post(ls, obsOffer)).status).toBe(409);

    const deleted = await fetch(`${server.base}${secondAnswer.location}`, { method: 'DELETE', headers: { authorization: `Bearer ${ls.streamKey}` } });
    expect(deleted.status).toBe(200);
    expect(await ended).toBe('the client deleted its session');
    expect(fs.readFileSync(playlist, 'utf8')).toContain('#EXT-X-ENDLIST');
    await expectReleased(ls.id);
  });

  it('accepts a simulcast publish and sizes the ladder from a layer it receives', async () => {
    const ls = await server.livestreams.create({ name: 'whip simulcast', record: false });
    publish(ls, '--simulcast', '--size', '640x360', '--fps', '15', '--no-audio');
    await waitFor('the broadcast live', () => server.registry.get(ls.id)?.state === 'live', 45_000);
    const media = server.registry.get(ls.id)!.ingest;
    expect(media.realtime!.video.type).toBe('simulcast');
    expect(media.realtime!.video.rtpParameters.encodings!.map((e) => e.rid)).toEqual(['q', 'h', 'f']);
    expect(['160x90', '320x180', '640x360']).toContain(`${media.video.width}x${media.video.height}`);
    // The leg to FFmpeg must outlast mediasoup's bandwidth backoff, which left on starves it within ~20 s.
    const playlist = path.join(server.config.mediaDir, ls.id, `${(server.registry.get(ls.id) as StreamSession).ladder.rungs[0]!.name}.m3u8`);
    const listedSeconds = () => [...fs.readFileSync(playlist, 'utf8').matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    await waitFor('30 s of segments', () => listedSeconds() >= 30, 60_000);
    // One FFmpeg run throughout: a starved leg ends FFmpeg's input, and the next run starts a discontinuity.
    expect(fs.readFileSync(playlist, 'utf8')).not.toContain('#EXT-X-DISCONTINUITY');
  }, 120_000);

  it.each([
    ['OBS (H.264 + Opus, session-level ICE, audio first)', obsOffer, { video: 'H264', audio: 'opus', videoMid: '1' }],
    ['Firefox (VP8 with RTX, Opus)', firefoxOffer, { video: 'VP8', audio: 'opus', videoMid: '1' }],
    ['Chromium (VP8 simulcast, Opus)', chromeSimulcastOffer, { video: 'VP8', audio: 'opus', videoMid: '0' }],
  ])("answers %s in the client's own terms", async (_client, offer, expected) => {
    const ls = await server.livestreams.create({ name: 'whip offers', record: false });
    const response = await post(ls, offer);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/sdp');
    const answer = parse(await response.text());
    expect(answer.icelite).toBe('ice-lite');
    const video = answer.media.find((m) => m.type === 'video')!;
    const audio = answer.media.find((m) => m.type === 'audio')!;
    expect(String(video.mid)).toBe(expected.videoMid);
    expect(video.direction).toBe('recvonly');
    expect(video.rtp[0]!.codec).toBe(expected.video);
    expect(audio.rtp[0]!.codec).toBe(expected.audio);
    expect(video.setup).toBe('passive');
    expect(video.candidates!.length).toBeGreaterThan(0);
    expect(video.endOfCandidates).toBe('end-of-candidates');
    // Payload types as offered: OBS's H.264 is 96, Firefox's VP8 120 with RTX 124.
    const offered = parse(offer).media.find((m) => m.type === 'video')!;
    for (const { payload, codec } of video.rtp) expect(offered.rtp.find((r) => r.payload === payload)?.codec).toBe(codec);
    await fetch(`${server.base}${response.headers.get('location')}`, { method: 'DELETE', headers: { authorization: `Bearer ${ls.streamKey}` } });
    await expectReleased(ls.id);
  });

  it('refuses a missing or wrong token, a wrong content type and unusable SDP, and stays healthy', async () => {
    const ls = await server.livestreams.create({ name: 'whip refusals', record: false });
    // One at a time: a request that gets as far as reserving the livestream would make the next one a 409.
    // Refusals of the publisher itself carry a code; those of its request's shape say what is wrong in words only.
    const cases: Array<[string, () => Promise<Response>, number, RegExp, PublishRefusalCode?]> = [
      ['no token', () => post(ls, obsOffer, { 'content-type': 'application/sdp' }), 401, /missing Authorization/, 'wrong_key'],
      ['a wrong token', () => post(ls, obsOffer, sdpHeaders('wrong-key')), 401, /Wrong stream key/, 'wrong_key'],
      ['a malformed Authorization', () => post(ls, obsOffer, { authorization: 'Basic abc', 'content-type': 'application/sdp' }), 401, /malformed/, 'wrong_key'],
      [
        'an unknown livestream',
        () => fetch(whipUrl('nosuchlivestream'), { method: 'POST', headers: sdpHeaders('x'), body: obsOffer }),
        404,
        /No livestream/,
        'unknown_livestream',
      ],
      ['text/plain', () => post(ls, obsOffer, { authorization: `Bearer ${ls.streamKey}`, 'content-type': 'text/plain' }), 415, /application\/sdp/],
      ['JSON', () => post(ls, '{"sdp":"v=0"}', { authorization: `Bearer ${ls.streamKey}`, 'content-type': 'application/json' }), 415, /application\/sdp/],
      ['no body', () => fetch(whipUrl(ls.id), { method: 'POST', headers: { authorization: `Bearer ${ls.streamKey}` } }), 415, /application\/sdp/],
      ['garbage', () => post(ls, 'this is not SDP at all'), 400, /must start with "v=0"/],
      ['binary junk', () => post(ls, `v=0\r\n${'\u0000\u00ff'.repeat(500)}`), 400, /no media section/],
      ['an audio-only offer', () => post(ls, obsOffer.slice(0, obsOffer.indexOf('m=video'))), 400, /no usable video section/],
      ['a receive-only offer', () => post(ls, obsOffer.replaceAll('a=sendonly', 'a=recvonly')), 400, /a WHIP publisher sends/],
      ['no usable video codec', () => post(ls, obsOffer.replace('H264/90000', 'VP9/90000')), 400, /no usable video codec \(offered: VP9; Axon takes VP8, H264\)/],
      ['an H.264 profile Axon does not take', () => post(ls, obsOffer.replace('profile-level-id=42e01f', 'profile-level-id=f4001f')), 400, /no usable video codec/],
      ['unbundled audio and video', () => post(ls, obsOffer.replace('a=group:BUNDLE 0 1', '')), 400, /BUNDLE/],
      ['a body above 64 KiB', () => post(ls, obsOffer + `a=x-padding:${'x'.repeat(70_000)}\r\n`), 400, /larger than 65536 bytes/],
    ];
    for (const [name, request, status, error, code] of cases) {
      const response = await request();
      expect(response.status, name).toBe(status);
      const body = (await response.json()) as ApiError;
      expect(body.error, name).toMatch(error);
      expect(body.code, name).toBe(code);
      expect(response.headers.get('access-control-allow-origin'), name).toBe('*');
    }
    expect((await post(ls, obsOffer, { 'content-type': 'application/sdp' })).headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectReleased(ls.id);
  });

  it('answers the CORS preflight of a browser client on another origin', async () => {
    const response = await fetch(whipUrl('anylivestream'), {
      method: 'OPTIONS',
      headers: { origin: 'https://studio.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization.*Content-Type/);
    expect(response.headers.get('accept-post')).toBe('application/sdp');
  });

  it('takes trickled candidates, restarts ICE on new credentials, and checks If-Match', async () => {
    const ls = await server.livestreams.create({ name: 'whip patch', record: false });
    const created = await post(ls, obsOffer);
    expect(created.status).toBe(201);
    const resource = `${server.base}${created.headers.get('location')}`;
    const etag = created.headers.get('etag')!;
    const patch = (body: string, headers: Record<string, string> = {}) =>
      fetch(resource, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ls.streamKey}`, 'content-type': 'application/trickle-ice-sdpfrag', ...headers },
        body,
      });
    const candidate = 'a=ice-ufrag:9Zxj\r\na=ice-pwd:CYv3k6bS0VfY0M4lSP0Kqw1b\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:3 1 udp 2122317823 192.0.2.9 50000 typ host\r\n';
    expect((await patch(candidate, { 'if-match': etag })).status).toBe(204);
    expect((await patch(candidate, { 'content-type': 'application/sdp' })).status).toBe(415);
    expect((await patch('v=0\r\n')).status).toBe(400);

    const restart = await patch('a=ice-ufrag:newU\r\na=ice-pwd:newpassword0123456789abc\r\n', { 'if-match': '*' });
    expect(restart.status).toBe(200);
    expect(restart.headers.get('content-type')).toBe('application/trickle-ice-sdpfrag');
    const newEtag = restart.headers.get('etag')!;
    expect(newEtag).not.toBe(etag);
    const frag = await restart.text();
    expect(frag).toMatch(/^a=ice-lite\r\na=ice-ufrag:(\S+)\r\n/);
    expect(frag).toContain('a=end-of-candidates');
    expect(newEtag).toBe(`"${/a=ice-ufrag:(\S+)/.exec(frag)![1]}"`);
    // The old ICE generation is gone.
    const stale = await patch(candidate.replace('9Zxj', 'newU'), { 'if-match': etag });
    expect(stale.status).toBe(412);
    await fetch(resource, { method: 'DELETE', headers: { authorization: `Bearer ${ls.streamKey}` } });
    await expectReleased(ls.id);
  });

  it('gives the livestream back when the publisher never connects', { timeout: CONNECT_TIMEOUT_MS + 30_000 }, async () => {
    const ls = await server.livestreams.create({ name: 'whip silent', record: false });
    expect((await post(ls, obsOffer)).status).toBe(201);
    expect(server.registry.isLive(ls.id)).toBe(true);
    await waitFor('the livestream released', () => !server.registry.isLive(ls.id), CONNECT_TIMEOUT_MS + 5000);
    await expectReleased(ls.id);
    // And it can be published to again.
    const again = await post(ls, obsOffer);
    expect(again.status).toBe(201);
    await fetch(`${server.base}${again.headers.get('location')}`, { method: 'DELETE', headers: { authorization: `Bearer ${ls.streamKey}` } });
  });
});
