import { parse } from 'sdp-transform';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromeSimulcastOffer, chromeViewerOffer } from './fixtures/sdp-offers.js';
import { DecodeSession } from './fixtures/decode-session.js';
import { requestFrom } from './fixtures/request-from.js';
import { SyntheticIngest } from './fixtures/synthetic-ingest.js';
import { waitFor } from './fixtures/wait-for.js';
import { startWebRtcHttpServer, WrtcClient, type WebRtcHttpServer } from './fixtures/webrtc-http-server.js';

let server: WebRtcHttpServer;
const clients: WrtcClient[] = [];

const whepUrl = (id: string) => `${server.base}/whep/${id}`;
const offerTo = (id: string, sdp: string) => fetch(whepUrl(id), { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: sdp });

function client(c: WrtcClient): WrtcClient {
  clients.push(c);
  return c;
}

/** A WHIP broadcast from a wrtc publisher, live once FFmpeg decodes it. */
async function liveWhipBroadcast(name: string, ...options: string[]) {
  const ls = await server.livestreams.create({ name, record: false });
  const publisher = client(WrtcClient.publish(`${server.base}/whip/${ls.id}`, ls.streamKey, ...options));
  await publisher.waitFor('the WHIP answer', (e) => e.event === 'answered');
  await waitFor('the broadcast live', () => server.registry.get(ls.id)?.state === 'live', 30_000);
  return { ls, session: server.registry.get(ls.id)! };
}

const routers = async () => (await server.pool.stats()).routers;

beforeAll(async () => {
  // No ladder: FFmpeg only decodes. WHEP viewers read from mediasoup, not from the packager.
  server = await startWebRtcHttpServer(() => (id, ingest) => new DecodeSession(id, ingest));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.kill()));
  await server.registry.stopAll('test over');
  await waitFor('every router closed', async () => (await routers()) === 0, 10_000);
});

afterAll(async () => {
  await server?.close();
});

describe('WHEP playback', { timeout: 90_000 }, () => {
  it('plays a WHIP broadcast to wrtc viewers, who share one route and leave nothing behind', async () => {
    const { ls } = await liveWhipBroadcast('whep wrtc');
    const first = client(WrtcClient.play(whepUrl(ls.id)));
    const second = client(WrtcClient.play(whepUrl(ls.id)));
    for (const viewer of [first, second]) {
      await viewer.waitFor('video and audio decoded', (e) => e.event === 'frames' && e.video! >= 30 && e.audio! >= 50, 30_000);
      expect(viewer.frames()).toMatchObject({ width: 320, height: 240 });
    }
    // The broadcast's router and one viewer route with the payload types both viewers asked for.
    expect(await routers()).toBe(2);

    const answered = await first.waitFor('the answer', (e) => e.event === 'answered');
    expect(answered.location).toMatch(new RegExp(`^/whep/${ls.id}/sessions/`));
    expect((await fetch(`${server.base}${answered.location}`, { method: 'DELETE' })).status).toBe(200);
    await second.kill();
    await waitFor('the viewer route closed', async () => (await routers()) === 1, 15_000);
    expect(server.registry.get(ls.id)?.state).toBe('live');
  });

  it("answers in the viewer's payload types, announcing what it sends", async () => {
    const { ls } = await liveWhipBroadcast('whep answer');
    const response = await offerTo(ls.id, chromeViewerOffer);
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toMatch(/^\/whep\//);
    const answer = parse(await response.text());
    const [video, audio] = answer.media;
    // Chromium offered VP8 as 96 and Opus as 111: a receiver expects its own numbers (RFC 3264 §5.1).
    expect(video).toMatchObject({ type: 'video', direction: 'sendonly', setup: 'passive' });
    expect(String(video!.payloads)).toBe('96');
    expect(video!.rtp).toEqual([{ payload: 96, codec: 'VP8', rate: 90000 }]);
    expect(audio).toMatchObject({ type: 'audio', direction: 'sendonly' });
    expect(String(audio!.payloads)).toBe('111');
    expect(audio!.rtp).toEqual([{ payload: 111, codec: 'opus', rate: 48000, encoding: 2 }]);
    // Demultiplexed by SSRC; audio and video in one stream so the browser keeps them in sync.
    for (const m of [video!, audio!]) {
      expect(m.ssrcs?.some((s) => s.attribute === 'cname')).toBe(true);
      expect(m.msid?.[0]?.id).toBe(`axon-${ls.id}`);
    }
    // Only extensions whose id the viewer gave the same number as mediasoup writes are named.
    for (const ext of [...(video!.ext ?? []), ...(audio!.ext ?? [])]) {
      const offered = parse(chromeViewerOffer).media.flatMap((m) => m.ext ?? []).find((e) => e.uri === ext.uri);
      expect(offered?.value).toBe(ext.value);
    }
    await fetch(`${server.base}${response.headers.get('location')}`, { method: 'DELETE' });
  });

  it('holds a viewer who comes while the publisher is still connecting until the broadcast starts', async () => {
    const { session: source } = await liveWhipBroadcast('whep source', '--no-audio');
    const ls = await server.livestreams.create({ name: 'whep early viewer', record: false });
    const publisherConnecting = await server.registry.reserve(ls.id);
    const early = offerTo(ls.id, chromeViewerOffer);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The publisher's broadcast starts, with media that passes through mediasoup.
    await publisherConnecting.start(Object.assign(new SyntheticIngest({ width: 320, height: 240 }), { realtime: source.realtime }));
    const response = await early;
    expect(response.status).toBe(201);
    await fetch(`${server.base}${response.headers.get('location')}`, { method: 'DELETE' });
  });

  it('ends its viewers when the broadcast ends', async () => {
    const { ls, session } = await liveWhipBroadcast('whep end', '--no-audio');
    const viewer = client(WrtcClient.play(whepUrl(ls.id)));
    await viewer.waitFor('video decoded', (e) => e.event === 'frames' && e.video! >= 10, 30_000);
    expect(viewer.frames()!.audio).toBe(0);
    await session.stop('publisher ended the stream');
    await waitFor('every router closed', async () => (await routers()) === 0, 15_000);
    expect((await server.pool.stats()).transports).toBe(0);
  });

  it('refuses what it cannot play, with a reason, and stays healthy', async () => {
    const offline = await server.livestreams.create({ name: 'whep offline', record: false });
    const rtmp = await server.livestreams.create({ name: 'whep rtmp', record: false });
    await (await server.registry.reserve(rtmp.id)).start(new SyntheticIngest({ width: 320, height: 240 }));
    const starting = await server.livestreams.create({ name: 'whep starting', record: false });
    const publisherConnecting = await server.registry.reserve(starting.id);
    const { ls } = await liveWhipBroadcast('whep refusals', '--no-audio');
    const h264Only = chromeViewerOffer.replace(/^m=video (\d+) (\S+) .*$/m, 'm=video $1 $2 102').replace(/a=rtpmap:96 VP8\/90000\r\n/, '');
    const cases: Array<[string, () => Promise<Response>, number, RegExp]> = [
      ['an unknown livestream', () => offerTo('nosuchlivestream', chromeViewerOffer), 404, /no livestream/],
      ['an invalid id', () => offerTo('x', chromeViewerOffer), 400, /invalid livestream id/],
      ['an offline livestream', () => offerTo(offline.id, chromeViewerOffer), 409, /not live/],
      ['a broadcast whose publisher does not finish connecting', () => offerTo(starting.id, chromeViewerOffer), 503, /still starting/],
      ['an RTMP broadcast', () => offerTo(rtmp.id, chromeViewerOffer), 409, /needs a WebRTC or WHIP publish; this broadcast comes over RTMP/],
      ['a wrong content type', () => fetch(whepUrl(ls.id), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: chromeViewerOffer }), 415, /application\/sdp/],
      ['garbage', () => offerTo(ls.id, 'v=1 not sdp'), 400, /must start with "v=0"/],
      ['a publisher offer', () => offerTo(ls.id, chromeSimulcastOffer), 400, /nothing to play: .*a WHEP viewer receives/],
      ['a viewer that cannot decode VP8', () => offerTo(ls.id, h264Only), 400, /this broadcast's video is video\/VP8/],
    ];
    for (const [name, request, status, error] of cases) {
      const response = await request();
      expect(response.status, name).toBe(status);
      expect(((await response.json()) as { error: string }).error, name).toMatch(error);
      if (status === 503) expect(response.headers.get('retry-after')).toBe('1');
    }
    publisherConnecting.release();
    // Only the live broadcast's router: no viewer route was left behind by a refusal.
    expect(await routers()).toBe(1);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  });
});

describe('WHEP and WHIP sessions per client address and per livestream', { timeout: 90_000 }, () => {
  let limited: WebRtcHttpServer;

  beforeAll(async () => {
    limited = await startWebRtcHttpServer(() => (id, ingest) => new DecodeSession(id, ingest), {
      AXON_MAX_WHEP_PER_IP: '2',
      AXON_MAX_WHEP_PER_LIVESTREAM: '3',
      AXON_MAX_PUBLISH_PER_IP: '1',
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('refuses an address over its share (429) and a livestream at its limit (503), and frees a slot when a session ends', async () => {
    const ls = await limited.livestreams.create({ name: 'limited', record: false });
    const publisher = client(WrtcClient.publish(`${limited.base}/whip/${ls.id}`, ls.streamKey));
    await publisher.waitFor('the WHIP answer', (e) => e.event === 'answered');
    await waitFor('the broadcast live', () => limited.registry.get(ls.id)?.state === 'live', 30_000);
    const offer = (from: string) =>
      requestFrom(from, `${limited.base}/whep/${ls.id}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: chromeViewerOffer });

    const first = await offer('127.0.0.2');
    expect(first.status).toBe(201);
    expect((await offer('127.0.0.2')).status).toBe(201);
    const overShare = await offer('127.0.0.2');
    expect(overShare.status).toBe(429);
    expect(overShare.headers['retry-after']).toBe('30');
    expect(JSON.parse(overShare.body).error).toBe('too many WHEP sessions from your address (2): end one first');

    expect((await offer('127.0.0.3')).status).toBe(201);
    const full = await offer('127.0.0.4');
    expect(full.status).toBe(503);
    expect(JSON.parse(full.body).error).toMatch(/this livestream has 3 WHEP sessions, its limit/);

    // A viewer leaves: its address and the livestream each have room for one more.
    const deleted = await requestFrom('127.0.0.2', `${limited.base}${first.headers.location}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect((await offer('127.0.0.4')).status).toBe(201);

    // One publish session per address: a second publisher from the same address is refused before its key is used.
    const other = await limited.livestreams.create({ name: 'limited 2', record: false });
    const second = await requestFrom('127.0.0.1', `${limited.base}/whip/${other.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${other.streamKey}` },
      body: chromeSimulcastOffer,
    });
    expect(second.status).toBe(429);
    expect(JSON.parse(second.body).error).toBe('too many WHIP sessions from your address (1): end one first');
  });
});
