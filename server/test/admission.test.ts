import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAxonServer, type AxonServer } from '../../bench/lib/axon-server.js';
import { STUDIO_NAMESPACE } from '../../shared/constants.js';
import type { Livestream } from '../../shared/livestream.js';
import { PublishEvents, type Ack } from '../../shared/signalling.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { chromeSimulcastOffer } from './fixtures/sdp-offers.js';
import { waitFor } from './fixtures/wait-for.js';

const AT_CAPACITY = /This server is already running its 1 broadcasts at once, its limit: try again in a few minutes/;

describe('admission control: AXON_MAX_BROADCASTS=1', () => {
  let server: AxonServer;
  let running: Livestream;
  let first: FfmpegRtmpPublisher;

  const status = async (id: string) => (JSON.parse((await server.request(`/api/livestreams/${id}`)).body) as Livestream).status;
  const segments = async (id: string) => {
    const playlist = await server.request(`/live/${id}/144p.m3u8`);
    return playlist.status === 200 ? playlist.body.split('#EXTINF').length - 1 : 0;
  };

  beforeAll(async () => {
    server = await startAxonServer({
      env: { AXON_MAX_BROADCASTS: '1', AXON_LADDER: '144', AXON_X264_PRESET: 'ultrafast', AXON_LOG_LEVEL: 'info', AXON_RECONNECT_WINDOW_S: '0' },
    });
    running = await server.createLivestream('the one broadcast');
    first = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${server.rtmpPort}/live/${running.streamKey}` });
    await waitFor('the first broadcast', async () => (await segments(running.id)) >= 1 || undefined, 30_000);
  });

  afterAll(async () => {
    await first?.kill();
    await server?.stop();
  });

  it('refuses an RTMP publish over the limit before taking its media, with a log line', async () => {
    const ls = await server.createLivestream('over the limit: rtmp');
    const refused = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${server.rtmpPort}/live/${ls.streamKey}`, durationS: 20 });
    expect(await refused.exited).not.toBe(0);
    expect(server.logTail(200)).toMatch(new RegExp(`RTMP publish refused: ${AT_CAPACITY.source}`));
    expect(await status(ls.id)).toBe('offline');
  });

  it('answers a WHIP offer over the limit with 503 and Retry-After', async () => {
    const ls = await server.createLivestream('over the limit: whip');
    const answer = await server.request(`/whip/${ls.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ls.streamKey}`, 'content-type': 'application/sdp' },
      body: chromeSimulcastOffer,
    });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('30');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'at_capacity', error: expect.stringMatching(AT_CAPACITY) });
  });

  it('tells the studio over the limit why it cannot go live', async () => {
    const ls = await server.createLivestream('over the limit: studio');
    const socket = io(`${server.baseUrl}${STUDIO_NAMESPACE}`, { transports: ['websocket'], reconnection: false });
    try {
      const ack = (await socket.timeout(10_000).emitWithAck(PublishEvents.join, { livestreamId: ls.id, streamKey: ls.streamKey })) as Ack<object>;
      expect(ack).toMatchObject({ ok: false, code: 'at_capacity', error: expect.stringMatching(AT_CAPACITY) });
    } finally {
      socket.close();
    }
  });

  it('refuses a studio connection beyond the publish sessions an address may hold (AXON_MAX_PUBLISH_PER_IP, 5)', async () => {
    const connect = () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = io(`${server.baseUrl}${STUDIO_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true });
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', (err) => {
          socket.close();
          reject(err);
        });
      });
    const held = await Promise.all(Array.from({ length: 5 }, connect));
    try {
      await expect(connect()).rejects.toMatchObject({
        message: 'too many studio connections from your address (at most 5): close a studio, or try again later',
        data: { code: 'too_many_sessions' },
      });
      held.pop()!.close();
      // The server learns of the close a moment later: until then the address still holds five.
      held.push(await waitFor('a place for the address again', () => connect().catch(() => undefined), 5000));
    } finally {
      held.forEach((s) => s.close());
    }
  });

  it('keeps the running broadcast going, and takes a new one once it ends', async () => {
    expect(await status(running.id)).toBe('live');
    const before = await segments(running.id);
    await waitFor('more segments', async () => (await segments(running.id)) > before || undefined, 15_000);

    await first.kill();
    await waitFor('the first broadcast to end', async () => (await status(running.id)) === 'offline' || undefined, 20_000);
    const next = await server.createLivestream('after the first');
    const publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${server.rtmpPort}/live/${next.streamKey}` });
    try {
      await waitFor('the next broadcast', async () => (await status(next.id)) === 'live' || undefined, 20_000);
    } finally {
      await publisher.kill();
    }
  });
});
