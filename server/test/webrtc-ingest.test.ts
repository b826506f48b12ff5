import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import * as mediasoup from 'mediasoup';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIGNALLING_MAX_BYTES, STUDIO_NAMESPACE } from '../../shared/constants.js';
import { PublishEvents, type Ack, type PublishState } from '../../shared/signalling.js';
import { attachStudioSignalling } from '../src/ingest/webrtc/studio-signalling.js';
import { createLogger } from '../src/log.js';
import type { PublishAuthorizer } from '../src/session/publish-auth.js';
import { SessionRegistry } from '../src/session/session-registry.js';
import { WorkerPool } from '../src/sfu/worker-pool.js';
import { DecodeSession } from './fixtures/decode-session.js';
import { waitFor } from './fixtures/wait-for.js';

const log = createLogger('webrtc-ingest-test');
const rtc = { listenIp: '127.0.0.1', announcedAddress: undefined, minPort: 40000, maxPort: 49999, workers: 1 };
const publisherScript = fileURLToPath(new URL('./fixtures/wrtc-publisher.ts', import.meta.url));

const keys = new Map([
  ['studio-test-live', 'key-live'],
  ['studio-test-kill', 'key-kill'],
  ['studio-test-dupe', 'key-dupe'],
  ['studio-test-junk', 'key-junk'],
  ['studio-test-leave', 'key-leave'],
  ['studio-test-end', 'key-end'],
  ['studio-test-worker', 'key-worker'],
  ['studio-test-frozen', 'key-frozen'],
]);
const auth: PublishAuthorizer = {
  authorizePublish: async (id, key) => {
    const expected = keys.get(id);
    if (expected === undefined) return 'unknown_livestream';
    return expected === key ? 'ok' : 'wrong_key';
  },
};

let pool: WorkerPool;
let registry: SessionRegistry;
let http: HttpServer;
let io: Server;
let url: string;
let routersCreated = 0;
const workers: mediasoup.types.Worker[] = [];
const sessions: DecodeSession[] = [];
const publishers: Publisher[] = [];
const clients: ClientSocket[] = [];

interface PublisherEvent {
  event: string;
  state?: string;
  reason?: string;
  message?: string;
  kind?: string;
}

/** The wrtc publisher fixture as a child process, with its JSON-lines progress collected. */
class Publisher {
  readonly events: PublisherEvent[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(livestreamId: string, key: string, extraArgs: string[] = []) {
    this.child = spawn(process.execPath, ['--import', 'tsx', publisherScript, url, livestreamId, key, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as PublisherEvent);
      } catch {
        // mediasoup-client or wrtc writing to stdout: not a progress line.
      }
    });
    publishers.push(this);
  }

  waitFor(what: string, match: (e: PublisherEvent) => boolean, timeoutMs = 30_000): Promise<PublisherEvent> {
    return waitFor(`publisher: ${what} (saw ${JSON.stringify(this.events)})`, () => this.events.find(match), timeoutMs);
  }

  states(): string[] {
    return this.events.filter((e) => e.event === 'state').map((e) => e.state!);
  }
}


async function connectStudio(): Promise<ClientSocket> {
  const socket = connectClient(`${url}${STUDIO_NAMESPACE}`, { transports: ['websocket'], reconnection: false });
  clients.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

function ask(socket: ClientSocket, event: string, ...args: unknown[]): Promise<Ack<Record<string, unknown>>> {
  return socket.timeout(10_000).emitWithAck(event, ...args) as Promise<Ack<Record<string, unknown>>>;
}

function collectStates(socket: ClientSocket): PublishState[] {
  const states: PublishState[] = [];
  socket.on(PublishEvents.state, (s: PublishState) => states.push(s));
  return states;
}

const sessionOf = (livestreamId: string) => sessions.filter((s) => s.livestreamId === livestreamId).at(-1);

function processGone(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Nothing of any broadcast is left: no router, transport, reservation or FFmpeg. */
async function expectNothingLeft(livestreamId: string): Promise<void> {
  await waitFor('every router and transport closed', async () => {
    const stats = await pool.stats();
    return stats.routers === 0 && stats.transports === 0;
  }, 10_000);
  expect(registry.isLive(livestreamId)).toBe(false);
  expect(sessions.every((s) => processGone(s.ffmpegPid))).toBe(true);
}

const VALID_VP8_RTP_PARAMETERS = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [] }],
  encodings: [{ ssrc: 11112222 }],
  headerExtensions: [],
  rtcp: { cname: 'test' },
};

beforeAll(async () => {
  mediasoup.observer.on('newworker', (worker) => {
    workers.push(worker);
    worker.observer.on('newrouter', () => routersCreated++);
  });
  pool = await WorkerPool.create(rtc, log);
  registry = new SessionRegistry((livestreamId, ingest) => {
    const session = new DecodeSession(livestreamId, ingest);
    sessions.push(session);
    return session;
  });
  http = createServer();
  io = new Server(http, { maxHttpBufferSize: SIGNALLING_MAX_BYTES });
  // Many studios from this one address over the file's tests: the limit per address is not what they test.
  attachStudioSignalling(io, { pool, registry, auth, rtc, log }, 1000);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const p of publishers.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
  for (const c of clients.splice(0)) c.disconnect();
  await registry.stopAll('test over');
  await waitFor('a clean pool between tests', async () => (await pool.stats()).routers === 0, 10_000);
});

afterAll(async () => {
  io?.close();
  pool?.close();
});

describe('browser (WebRTC) ingest', { timeout: 90_000 }, () => {
  it('publishes VP8 and Opus that FFmpeg decodes in sync, and cleans up when the publisher leaves', async () => {
    const id = 'studio-test-live';
    const pub = new Publisher(id, keys.get(id)!);
    await pub.waitFor('live', (e) => e.event === 'state' && e.state === 'live');
    expect(pub.states(), JSON.stringify(pub.events)).toEqual(['starting', 'live']);

    const session = sessionOf(id)!;
    expect(session.ingest.protocol).toBe('webrtc');
    expect(session.ingest.video).toEqual({ width: 320, height: 240, frameRate: 30 });
    // The publisher marks every second with a white frame and a beep: both reach FFmpeg, together.
    await waitFor('four marks decoded on both tracks', () => {
      const video = session.decoded('video');
      const audio = session.decoded('audio');
      return video && audio && video.marksS.length >= 4 && audio.marksS.length >= 4;
    });
    const video = session.decoded('video')!;
    const audio = session.decoded('audio')!;
    const skews = video.marksS.slice(1).map((v) => Math.min(...audio.marksS.map((a) => Math.abs(a - v))));
    // Within a video frame or two (33 ms each) and an Opus frame (20 ms).
    expect(Math.max(...skews), JSON.stringify({ video: video.marksS, audio: audio.marksS })).toBeLessThan(0.15);
    expect(await pool.stats()).toEqual({ workers: 1, routers: 1, transports: 3 });
    // Health is measured from the RTP mediasoup receives: codecs, frames, keyframes.
    expect(session.health).toMatchObject({ protocol: 'webrtc', videoCodec: 'VP8', audioCodec: 'opus', width: 320, height: 240 });
    const measured = session.ingest.meter!.read();
    expect(measured.frames).toBeGreaterThan(60);
    expect(measured.mediaTimeS).toBeGreaterThan(2);
    expect(measured.keyframesAtS.length).toBeGreaterThan(0);

    // A restarted FFmpeg gets an input of its own, on fresh ports outside mediasoup's range.
    const second = await session.ingest.openInput();
    expect(second.hasAudio).toBe(true);
    // FFmpeg gets the SDP on its stdin (no file to leave behind).
    expect(second.ffmpegInputArgs.slice(-2)).toEqual(['-i', 'pipe:0']);
    const restarted = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...second.ffmpegInputArgs, '-map', '0:v:0', '-frames:v', '15', '-f', 'null', '-'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const restartedExit = once(restarted, 'exit');
    const sdp = new PassThrough();
    const sdpText = text(sdp);
    sdp.pipe(restarted.stdin);
    second.attachStdin!(sdp);
    const ports = [...(await sdpText).matchAll(/^m=(?:video|audio) (\d+) /gm)].map((m) => Number(m[1]));
    expect(ports).toHaveLength(2);
    for (const port of ports) {
      expect(port % 2).toBe(0);
      expect(port < rtc.minPort || port > rtc.maxPort).toBe(true);
    }
    expect((await pool.stats()).transports).toBe(5);
    await second.start();
    const keyframes = setInterval(() => second.requestKeyFrame(), 500);
    const [code, signal] = await restartedExit.finally(() => clearInterval(keyframes));
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await second.close();
    await second.close();
    expect((await pool.stats()).transports).toBe(3);
    expect(session.state).toBe('live');

    pub.child.kill('SIGTERM');
    expect(await pub.exited).toBe(0);
    await waitFor('the session to end', () => session.state === 'ended');
    await expectNothingLeft(id);
  });

  it('ends the broadcast and frees everything when the publisher process is killed', async () => {
    const id = 'studio-test-kill';
    const pub = new Publisher(id, keys.get(id)!);
    await pub.waitFor('live', (e) => e.event === 'state' && e.state === 'live');
    const session = sessionOf(id)!;
    const ffmpegPid = session.ffmpegPid;
    expect(processGone(ffmpegPid)).toBe(false);

    pub.child.kill('SIGKILL');
    await pub.exited;
    await waitFor('the session to end', () => session.state === 'ended', 10_000);
    await expectNothingLeft(id);
    expect(processGone(ffmpegPid)).toBe(true);
  });

  it('refuses a wrong key or an unknown livestream before creating any router', async () => {
    const socket = await connectStudio();
    const before = routersCreated;
    expect(await ask(socket, PublishEvents.join, { livestreamId: 'studio-test-live', streamKey: 'nope' })).toEqual({
      ok: false,
      error: 'Wrong stream key',
      code: 'wrong_key',
    });
    expect(await ask(socket, PublishEvents.join, { livestreamId: 'studio-test-none', streamKey: 'x' })).toEqual({
      ok: false,
      error: 'No livestream with this id',
      code: 'unknown_livestream',
    });
    expect(routersCreated).toBe(before);
    expect(await pool.stats()).toEqual({ workers: 1, routers: 0, transports: 0 });
    expect(registry.isLive('studio-test-live')).toBe(false);
  });

  it('refuses a second publisher while the livestream has one, and accepts one after', async () => {
    const id = 'studio-test-dupe';
    const pub = new Publisher(id, keys.get(id)!, ['--no-audio', '--size', '160x120', '--claim', '1920x1080']);
    await pub.waitFor('live', (e) => e.event === 'state' && e.state === 'live');
    // A video-only publisher: FFmpeg gets no audio stream. The size is the media's, not the one claimed.
    const session = sessionOf(id)!;
    expect(session.ingest.video).toEqual({ width: 160, height: 120, frameRate: 30 });
    expect(session.decoded('video')!.frames).toBeGreaterThan(0);
    expect(session.decoded('audio')).toBeUndefined();
    expect((await pool.stats()).transports).toBe(2);

    const second = await connectStudio();
    expect(await ask(second, PublishEvents.join, { livestreamId: id, streamKey: keys.get(id) })).toEqual({
      ok: false,
      error: 'This livestream already has a publisher',
      code: 'already_live',
    });
    expect((await pool.stats()).routers).toBe(1);

    pub.child.kill('SIGTERM');
    await pub.exited;
    await waitFor('the livestream to be free', () => !registry.isLive(id));
    const joined = await ask(second, PublishEvents.join, { livestreamId: id, streamKey: keys.get(id) });
    expect(joined.ok).toBe(true);
  });

  it('answers malformed and out-of-order requests with errors and stays healthy', async () => {
    const id = 'studio-test-junk';
    const key = keys.get(id)!;
    const socket = await connectStudio();
    const refused = async (event: string, args: unknown[], error: RegExp) => {
      const res = await ask(socket, event, ...args);
      expect(res.ok, `${event} ${JSON.stringify(args).slice(0, 80)}`).toBe(false);
      if (!res.ok) expect(res.error).toMatch(error);
    };

    // Malformed joins.
    await refused(PublishEvents.join, [{ livestreamId: id, streamKey: 42 }], /invalid publish:join payload: streamKey/);
    await refused(PublishEvents.join, [{ livestreamId: id, streamKey: key, admin: true }], /invalid publish:join payload/);
    await refused(PublishEvents.join, [{ livestreamId: id, streamKey: 'k'.repeat(300) }], /streamKey/);
    await refused(PublishEvents.join, [{ livestreamId: 'x'.repeat(5000), streamKey: key }], /livestreamId/);
    await refused(PublishEvents.join, ['studio-test-junk'], /invalid publish:join payload/);
    await refused(PublishEvents.join, [null], /invalid publish:join payload/);
    await refused(PublishEvents.join, [], /exactly one payload/);
    await refused(PublishEvents.join, [{ livestreamId: id, streamKey: key }, 'extra'], /exactly one payload/);
    await refused('publish:hack', [{}], /unknown event "publish:hack"/);
    // Out of order before joining.
    await refused(PublishEvents.transport, [{}], /join first/);
    await refused(PublishEvents.connect, [{ dtlsParameters: {} }], /join first/);
    await refused(PublishEvents.produce, [{ kind: 'video', rtpParameters: VALID_VP8_RTP_PARAMETERS }], /join first/);
    await refused(PublishEvents.start, [{ video: { width: 640, height: 480 } }], /join first/);
    await refused(PublishEvents.end, [{}], /not publishing/);
    // Without an acknowledgement callback a request is ignored (the next answer shows it was read).
    const routersBefore = routersCreated;
    socket.emit(PublishEvents.join, { livestreamId: id, streamKey: key });
    await refused(PublishEvents.end, [{}], /not publishing/);
    expect(registry.isLive(id)).toBe(false);
    expect(routersCreated).toBe(routersBefore);

    expect((await ask(socket, PublishEvents.join, { livestreamId: id, streamKey: key })).ok).toBe(true);
    await refused(PublishEvents.join, [{ livestreamId: id, streamKey: key }], /already joined/);
    await refused(PublishEvents.connect, [{ dtlsParameters: {} }], /create the transport first/);
    await refused(PublishEvents.produce, [{ kind: 'video', rtpParameters: VALID_VP8_RTP_PARAMETERS }], /create the transport first/);
    await refused(PublishEvents.transport, [{ udp: false }], /invalid publish:transport payload/);
    expect((await ask(socket, PublishEvents.transport, {})).ok).toBe(true);
    await refused(PublishEvents.transport, [{}], /already exists/);
    await refused(PublishEvents.connect, [{ dtlsParameters: { role: 'client', fingerprints: 'junk' } }], /invalid dtlsParameters/);
    await refused(PublishEvents.connect, [{ dtlsParameters: [] }], /invalid publish:connect payload/);
    await refused(PublishEvents.produce, [{ kind: 'video', rtpParameters: {} }], /invalid rtpParameters/);
    await refused(PublishEvents.produce, [{ kind: 'video', rtpParameters: { codecs: 'VP8', encodings: [{}] } }], /invalid rtpParameters/);
    await refused(
      PublishEvents.produce,
      [{ kind: 'video', rtpParameters: { codecs: [{ mimeType: 'video/H265', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 1 }] } }],
      /invalid rtpParameters/,
    );
    await refused(
      PublishEvents.produce,
      [{ kind: 'audio', rtpParameters: VALID_VP8_RTP_PARAMETERS }],
      /invalid rtpParameters: video\/VP8 does not match kind audio/,
    );
    await refused(PublishEvents.produce, [{ kind: 'screen', rtpParameters: VALID_VP8_RTP_PARAMETERS }], /kind/);
    await refused(PublishEvents.start, [{ video: { width: 640, height: 480 } }], /produce video first/);
    expect((await ask(socket, PublishEvents.produce, { kind: 'video', rtpParameters: VALID_VP8_RTP_PARAMETERS })).ok).toBe(true);
    await refused(PublishEvents.produce, [{ kind: 'video', rtpParameters: VALID_VP8_RTP_PARAMETERS }], /already producing video/);
    await refused(PublishEvents.start, [{ video: { width: 99999, height: 480 } }], /width/);
    await refused(PublishEvents.start, [{ video: { width: 640, height: 480 }, bitrate: 1 }], /invalid publish:start payload/);

    // The server still works: the negotiation goes on and the worker is alive.
    expect(registry.isLive(id)).toBe(true);
    expect(await pool.stats()).toEqual({ workers: 1, routers: 1, transports: 1 });
    socket.disconnect();
    await expectNothingLeft(id);
  });

  it('leaks nothing when a client vanishes mid-negotiation', async () => {
    const id = 'studio-test-leave';
    const socket = await connectStudio();
    expect((await ask(socket, PublishEvents.join, { livestreamId: id, streamKey: keys.get(id) })).ok).toBe(true);
    expect((await ask(socket, PublishEvents.transport, {})).ok).toBe(true);
    expect((await ask(socket, PublishEvents.produce, { kind: 'video', rtpParameters: VALID_VP8_RTP_PARAMETERS })).ok).toBe(true);
    expect(await pool.stats()).toEqual({ workers: 1, routers: 1, transports: 1 });
    socket.disconnect();
    await expectNothingLeft(id);

    // Vanishing with requests in flight: what they go on to create is released too.
    const hasty = await connectStudio();
    hasty.emit(PublishEvents.join, { livestreamId: id, streamKey: keys.get(id) }, () => undefined);
    hasty.emit(PublishEvents.transport, {}, () => undefined);
    await waitFor('the join to reach the server', () => registry.isLive(id));
    hasty.disconnect();
    await expectNothingLeft(id);
  });

  it('ends a publish waiting for its media on publish:end, and the socket can go live again', async () => {
    const id = 'studio-test-end';
    const socket = await connectStudio();
    const states = collectStates(socket);
    expect((await ask(socket, PublishEvents.join, { livestreamId: id, streamKey: keys.get(id) })).ok).toBe(true);
    expect((await ask(socket, PublishEvents.transport, {})).ok).toBe(true);
    expect((await ask(socket, PublishEvents.produce, { kind: 'video', rtpParameters: VALID_VP8_RTP_PARAMETERS })).ok).toBe(true);
    // Acknowledged at once; the broadcast waits for the publisher to connect and send a key frame, which this one never does.
    expect(await ask(socket, PublishEvents.start, { video: { width: 640, height: 480 } })).toEqual({ ok: true });
    // Once started, nothing more is negotiated.
    expect(await ask(socket, PublishEvents.produce, { kind: 'audio', rtpParameters: {} })).toEqual({ ok: false, error: 'already live', code: 'invalid_request' });

    expect(await ask(socket, PublishEvents.end, {})).toEqual({ ok: true });
    await waitFor('state ended', () => states.find((s) => s.state === 'ended'));
    expect(states.at(-1)).toEqual({ state: 'ended', reason: 'publisher ended the stream' });
    await expectNothingLeft(id);

    expect((await ask(socket, PublishEvents.join, { livestreamId: id, streamKey: keys.get(id) })).ok).toBe(true);
    expect((await pool.stats()).routers).toBe(1);
  });

  it('ends the broadcast when its mediasoup worker dies, and replaces the worker', async () => {
    const id = 'studio-test-worker';
    const pub = new Publisher(id, keys.get(id)!);
    await pub.waitFor('live', (e) => e.event === 'state' && e.state === 'live');
    const session = sessionOf(id)!;
    const worker = workers.find((w) => !w.closed)!;

    process.kill(worker.pid, 'SIGKILL');
    const ended = await pub.waitFor('ended', (e) => e.event === 'state' && e.state === 'ended');
    expect(ended.reason).toBe('the media worker died');
    expect(await pub.exited).toBe(0);
    expect(session.state).toBe('ended');
    await expectNothingLeft(id);
    await waitFor('a replacement worker', async () => (await pool.stats()).workers === 1);
    expect(workers.filter((w) => !w.closed)).toHaveLength(1);

    const socket = await connectStudio();
    expect((await ask(socket, PublishEvents.join, { livestreamId: id, streamKey: keys.get(id) })).ok).toBe(true);
  });

  it('ends the broadcast when the publisher stops answering ICE, before its signalling times out', { timeout: 120_000 }, async () => {
    const id = 'studio-test-frozen';
    const pub = new Publisher(id, keys.get(id)!);
    await pub.waitFor('live', (e) => e.event === 'state' && e.state === 'live');
    const session = sessionOf(id)!;

    // A frozen publisher keeps its TCP connection open but sends no more ICE consent checks; mediasoup
    // reports ICE disconnected after its consent timeout (30 s), the ingest waits out its grace period.
    pub.child.kill('SIGSTOP');
    await waitFor('the session to end', () => session.state === 'ended', 60_000);
    expect(session.endReason).toBe('the publisher connection was lost (ICE)');
    await expectNothingLeft(id);
  });
});
