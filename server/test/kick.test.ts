import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { Server as SocketServer } from 'socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIGNALLING_MAX_BYTES, STUDIO_NAMESPACE } from '../../shared/constants.js';
import type { Livestream } from '../../shared/livestream.js';
import { PublishEvents, type Ack } from '../../shared/signalling.js';
import { KICK_REASONS } from '../src/http/routes/livestreams.js';
import { startRtmpServer, type RtmpIngestServer } from '../src/ingest/rtmp/rtmp-publish-gate.js';
import { attachStudioSignalling } from '../src/ingest/webrtc/studio-signalling.js';
import { createLogger } from '../src/log.js';
import { RecordingLibrary } from '../src/recordings/recording-library.js';
import { publishAuthMessages } from '../src/session/publish-auth.js';
import type { LiveSession } from '../src/session/stream-session.js';
import { StreamSession } from '../src/session/stream-session.js';
import type { LivestreamRecord } from '../src/store/livestream-repository.js';
import { SqliteRecordingRepository } from '../src/store/sqlite/recording-repository.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { obsOffer } from './fixtures/sdp-offers.js';
import { waitFor } from './fixtures/wait-for.js';
import { startWebRtcHttpServer, WrtcClient, type WebRtcHttpServer } from './fixtures/webrtc-http-server.js';

/** What the issue asks of a kick: the broadcast is over within 2 s of the request. */
const KICK_DEADLINE_MS = 2000;
const GO_LIVE_TIMEOUT_MS = 45_000;

const log = createLogger('kick-test');
const rtmpLog = capturedLogger();
let server: WebRtcHttpServer;
let io: SocketServer;
let rtmp: RtmpIngestServer;
let recordings: RecordingLibrary;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  // Every broadcast recorded, as main.ts does for livestreams with `record`: a kick must leave a complete recording.
  server = await startWebRtcHttpServer(
    (config) => (id, ingest) => new StreamSession(id, ingest, { config, log, recordings }),
    { AXON_LADDER: '144', AXON_X264_PRESET: 'ultrafast', AXON_FPS: '15' },
  );
  recordings = new RecordingLibrary({ store: new SqliteRecordingRepository(server.db), mediaDir: server.config.mediaDir, log });
  io = new SocketServer(server.app.server, { maxHttpBufferSize: SIGNALLING_MAX_BYTES });
  const { pool, registry, livestreams, config } = server;
  attachStudioSignalling(io, { pool, registry, auth: livestreams, rtc: config.rtc, log: log.child('studio') }, config.limits.publishSessionsPerIp);
  rtmp = await startRtmpServer({ host: '127.0.0.1', port: 0, registry, keys: livestreams, reconnectWindowS: 30, log: rtmpLog });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server.registry.stopAll('test over');
  rtmpLog.lines.length = 0;
});

afterAll(async () => {
  await rtmp?.close();
  io?.disconnectSockets(true);
  io?.engine.close();
  await server?.close();
});

const create = (name: string): Promise<LivestreamRecord> => server.livestreams.create({ name, record: true });

function api(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${server.config.apiToken}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${server.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const rotateKey = (ls: LivestreamRecord) => api('POST', `/api/livestreams/${ls.id}/rotate-key`);
const setEnabled = (ls: LivestreamRecord, enabled: boolean) => api('PATCH', `/api/livestreams/${ls.id}`, { enabled });

function publishRtmp(key: string): FfmpegRtmpPublisher {
  const publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${rtmp.port}/live/${key}`, width: 320, height: 180 });
  cleanups.push(() => publisher.kill());
  return publisher;
}

function publishWhip(ls: LivestreamRecord, key: string): WrtcClient {
  const client = WrtcClient.publish(`${server.base}/whip/${ls.id}`, key, '--no-audio', '--size', '160x120', '--fps', '15');
  cleanups.push(() => client.kill());
  return client;
}

function publishStudio(ls: LivestreamRecord, key: string): WrtcClient {
  const client = WrtcClient.studio(server.base, ls.id, key, '--no-audio', '--size', '160x120', '--fps', '15');
  cleanups.push(() => client.kill());
  return client;
}

/** A WHIP offer that reserves the livestream without media, answered with the status and the session's URL. */
async function offerWhip(ls: LivestreamRecord, key: string): Promise<{ status: number; body: string; location: string | null }> {
  const response = await fetch(`${server.base}/whip/${ls.id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/sdp' },
    body: obsOffer,
  });
  const location = response.headers.get('location');
  if (location) {
    cleanups.push(() => fetch(`${server.base}${location}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } }));
  }
  return { status: response.status, body: await response.text(), location };
}

/** The studio's first signalling step, where the key is checked: its acknowledgement. The studio then leaves. */
async function joinStudio(ls: LivestreamRecord, key: string): Promise<Ack<Record<string, unknown>>> {
  const socket: ClientSocket = connectClient(`${server.base}${STUDIO_NAMESPACE}`, { transports: ['websocket'], reconnection: false });
  try {
    return (await socket.timeout(10_000).emitWithAck(PublishEvents.join, { livestreamId: ls.id, streamKey: key })) as Ack<Record<string, unknown>>;
  } finally {
    socket.disconnect();
  }
}

async function live(ls: LivestreamRecord): Promise<LiveSession> {
  return waitFor('the broadcast live', () => {
    const session = server.registry.get(ls.id);
    return session?.state === 'live' ? session : undefined;
  }, GO_LIVE_TIMEOUT_MS);
}

/**
 * Sends the kick (rotate-key or disable) and waits, from the moment it is sent, at most KICK_DEADLINE_MS
 * for the broadcast to be over: its session ended and the livestream free. Returns the reason and the answer.
 */
async function kick(ls: LivestreamRecord, send: () => Promise<Response>): Promise<{ reason: string; answer: Livestream }> {
  const session = server.registry.get(ls.id)!;
  let reason: string | undefined;
  session.once('ended', (r) => (reason = r));
  const answered = send();
  await waitFor('the broadcast ended', () => reason !== undefined && !server.registry.isLive(ls.id), KICK_DEADLINE_MS);
  const response = await answered;
  expect(response.status).toBe(200);
  return { reason: reason!, answer: (await response.json()) as Livestream };
}

async function expectCompleteRecording(ls: LivestreamRecord): Promise<void> {
  expect((await recordings.list(ls.id)).map((r) => r.status)).toEqual(['complete']);
}

const exitedBy = (publisher: FfmpegRtmpPublisher) => publisher.process.exitCode !== null || publisher.process.signalCode !== null;

describe('rotate-key ends the broadcast published with the old key', { timeout: 120_000 }, () => {
  it('over RTMP: the connection is closed, the old key is refused, the new key goes live at once', async () => {
    const ls = await create('rtmp kick');
    const intruder = publishRtmp(ls.streamKey);
    const first = await live(ls);

    const { reason, answer } = await kick(ls, () => rotateKey(ls));
    expect(reason).toBe(KICK_REASONS.keyRotated);
    expect(answer.status).toBe('offline');
    await waitFor('the RTMP connection closed', () => exitedBy(intruder), KICK_DEADLINE_MS);
    await expectCompleteRecording(ls);

    const again = publishRtmp(ls.streamKey);
    expect(await again.exited).not.toBe(0);
    expect(rtmpLog.lines.map((l) => l.text)).toContainEqual(expect.stringMatching(/^RTMP publish refused: unknown stream key/));
    // A new broadcast, not the kicked one resumed within the reconnect window.
    publishRtmp(answer.streamKey);
    expect(await live(ls)).not.toBe(first);
  });

  it('over RTMP while the broadcast waits for a dropped publisher: it ends at once, not after the reconnect window', async () => {
    const ls = await create('rtmp kick in the reconnect window');
    const publisher = publishRtmp(ls.streamKey);
    await live(ls);
    await publisher.kill();
    await waitFor('the drop noticed', () => rtmpLog.lines.some((l) => l.text.startsWith('the RTMP publisher dropped; waiting for it to return')));
    expect(server.registry.isLive(ls.id)).toBe(true);

    const { reason } = await kick(ls, () => rotateKey(ls));
    expect(reason).toBe(KICK_REASONS.keyRotated);
    await expectCompleteRecording(ls);
    // The old key cannot come back to it.
    expect(await publishRtmp(ls.streamKey).exited).not.toBe(0);
    expect(server.registry.isLive(ls.id)).toBe(false);
  });

  it('over WHIP: the session resource is gone, the old key is refused', async () => {
    const ls = await create('whip kick');
    const client = publishWhip(ls, ls.streamKey);
    const answered = await client.waitFor('the answer', (e) => e.event === 'answered');
    await live(ls);

    const { reason, answer } = await kick(ls, () => rotateKey(ls));
    expect(reason).toBe(KICK_REASONS.keyRotated);
    await expectCompleteRecording(ls);
    const resource = `${server.base}${answered.location}`;
    expect((await fetch(resource, { method: 'DELETE', headers: { authorization: `Bearer ${ls.streamKey}` } })).status).toBe(404);
    expect((await offerWhip(ls, ls.streamKey)).status).toBe(401);
    expect((await offerWhip(ls, answer.streamKey)).status).toBe(201);
  });

  it('from the studio: the streamer is told why', async () => {
    const ls = await create('studio kick');
    const studio = publishStudio(ls, ls.streamKey);
    await live(ls);

    const { reason } = await kick(ls, () => rotateKey(ls));
    expect(reason).toBe(KICK_REASONS.keyRotated);
    const ended = await studio.waitFor('the end', (e) => e.event === 'state' && e.state === 'ended', KICK_DEADLINE_MS);
    expect(ended.reason).toBe(KICK_REASONS.keyRotated);
    await expectCompleteRecording(ls);
    expect(await joinStudio(ls, ls.streamKey)).toEqual({ ok: false, error: publishAuthMessages.wrong_key, code: 'wrong_key' });
  });
});

describe('a disabled livestream', { timeout: 120_000 }, () => {
  it('ends its broadcast, refuses every ingest until it is enabled again, then takes each', async () => {
    const ls = await create('disabled');
    const studio = publishStudio(ls, ls.streamKey);
    await live(ls);

    const { reason, answer } = await kick(ls, () => setEnabled(ls, false));
    expect(reason).toBe(KICK_REASONS.disabled);
    expect(answer).toMatchObject({ enabled: false, status: 'offline', streamKey: ls.streamKey });
    const ended = await studio.waitFor('the end', (e) => e.event === 'state' && e.state === 'ended', KICK_DEADLINE_MS);
    expect(ended.reason).toBe(KICK_REASONS.disabled);
    await expectCompleteRecording(ls);

    expect(await joinStudio(ls, ls.streamKey)).toEqual({ ok: false, error: publishAuthMessages.disabled, code: 'disabled' });
    expect(await offerWhip(ls, ls.streamKey)).toMatchObject({ status: 403, body: JSON.stringify({ error: publishAuthMessages.disabled, code: 'disabled' }) });
    expect(await publishRtmp(ls.streamKey).exited).not.toBe(0);
    expect(rtmpLog.lines.map((l) => l.text)).toContainEqual(expect.stringContaining(`RTMP publish refused: ${publishAuthMessages.disabled}`));
    // The right key only: a wrong one learns nothing about the livestream.
    expect(await joinStudio(ls, 'not-the-key')).toEqual({ ok: false, error: publishAuthMessages.wrong_key, code: 'wrong_key' });
    expect(server.registry.isLive(ls.id)).toBe(false);

    expect((await (await setEnabled(ls, true)).json()).enabled).toBe(true);
    expect(await joinStudio(ls, ls.streamKey)).toMatchObject({ ok: true });
    await waitFor('the studio negotiation released', () => !server.registry.isLive(ls.id), 10_000);
    const whip = await offerWhip(ls, ls.streamKey);
    expect(whip.status).toBe(201);
    await fetch(`${server.base}${whip.location}`, { method: 'DELETE', headers: { authorization: `Bearer ${ls.streamKey}` } });
    await waitFor('the WHIP session released', () => !server.registry.isLive(ls.id), 10_000);
    publishRtmp(ls.streamKey);
    await live(ls);
  });
});
