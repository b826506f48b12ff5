import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRtmpServer, type RtmpIngestServer } from '../src/ingest/rtmp/rtmp-publish-gate.js';
import { createLogger, type Logger } from '../src/log.js';
import { SessionRegistry } from '../src/session/session-registry.js';
import { StreamSession } from '../src/session/stream-session.js';
import { FfmpegRtmpPublisher, type RtmpPublisherOptions } from './fixtures/ffmpeg-rtmp-publisher.js';
import { waitFor } from './fixtures/wait-for.js';

/** Warnings logged by the code under test: refusals must say why. */
const warnings: string[] = [];
function capturingLogger(scope: string): Logger {
  const inner = createLogger(scope);
  return {
    ...inner,
    warn: (msg, fields) => {
      warnings.push(msg);
      inner.warn(msg, fields);
    },
    child: (sub) => capturingLogger(`${scope}:${sub}`),
  };
}
const log = capturingLogger('test');
const LIVESTREAM = 'ls-rtmp-0001';
const KEY = 'k3y_Of-the-livestream';

interface Axon {
  rtmp: RtmpIngestServer;
  registry: SessionRegistry;
  root: string;
  mediaDir: string;
  publish(o?: Omit<RtmpPublisherOptions, 'url'> & { app?: string; key?: string }): FfmpegRtmpPublisher;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  warnings.length = 0;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The RTMP ingest wired to a real session registry, StreamSession and FFmpeg, as main.ts does. */
async function startAxon(reconnectWindowS = 30, maxConnectionsPerIp?: number): Promise<Axon> {
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-rtmp-'));
  cleanups.push(() => fsp.rm(mediaDir, { recursive: true, force: true }));
  const registry = new SessionRegistry(
    (livestreamId, ingest) =>
      new StreamSession(livestreamId, ingest, {
        config: {
          mediaDir,
          dvrWindowS: 300,
          publicUrl: 'http://127.0.0.1:1',
          transcode: { ladderHeights: [1080, 720, 480, 360, 144], fps: 30, x264Preset: 'ultrafast', ffmpegPath: 'ffmpeg' },
        },
        log,
      }),
  );
  const keys = new Map([[KEY, LIVESTREAM]]);
  const rtmp = await startRtmpServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    keys: { resolveStreamKey: async (key) => (keys.has(key) ? { livestreamId: keys.get(key)!, result: 'ok' } : undefined) },
    reconnectWindowS,
    maxConnectionsPerIp,
    log,
  });
  cleanups.push(async () => {
    await registry.stopAll('test over');
    await rtmp.close();
  });
  return {
    rtmp,
    registry,
    mediaDir,
    root: path.join(mediaDir, LIVESTREAM),
    publish: ({ app = 'live', key = KEY, ...o } = {}) => {
      const publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${rtmp.port}/${app}/${key}`, ...o });
      cleanups.push(() => publisher.kill());
      return publisher;
    },
  };
}


/** Opens a raw TCP connection to the RTMP port, sends `bytes` and closes (or leaves it open). */
function sendRaw(port: number, bytes: Buffer, keepOpen = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(bytes, () => {
        if (keepOpen) {
          cleanups.push(async () => socket.destroy());
          resolve();
        } else socket.end();
      });
    });
    // The server dropping a connection that sent garbage, while bytes are still on their way, is what it should do.
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve() : reject(err)));
    socket.on('close', () => resolve());
    socket.resume();
  });
}

/** FFmpeg trying to watch a stream over RTMP; resolves with its exit code. */
function playRtmp(url: string): Promise<number | null> {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-rw_timeout', '5000000', '-i', url, '-frames:v', '1', '-f', 'null', '-'];
  const player = spawn('ffmpeg', args, { stdio: 'ignore' });
  cleanups.push(async () => player.kill('SIGKILL'));
  return new Promise((resolve) => player.once('exit', resolve));
}

const read = (root: string, f: string) => fsp.readFile(path.join(root, f), 'utf8').catch(() => '');
const sessionOf = (axon: Axon) => axon.registry.get(LIVESTREAM) as StreamSession | undefined;
const segmentsIn = (playlist: string) => playlist.split('\n').filter((l) => l.endsWith('.m4s') && !l.startsWith('#'));
const SMALL = { width: 320, height: 180 };

describe('RTMP ingest (FFmpeg standing in for OBS)', () => {
  it('turns a 720p publish into a 720/480/360/144 ladder', async () => {
    const axon = await startAxon();
    const started = Date.now();
    axon.publish({ width: 1280, height: 720 });
    const session = await waitFor('session', () => sessionOf(axon), 10_000);
    expect(session.ingest.protocol).toBe('rtmp');
    let endReason = '';
    session.once('ended', (reason) => (endReason = reason));
    await waitFor('live or ended', () => session.state !== 'starting');
    expect(session.state, `the broadcast ended: ${endReason}`).toBe('live');
    log.info('RTMP go-live', { publishToSessionMs: session.startedAt.getTime() - started, publishToPlayableMs: Date.now() - started });
    const master = await read(axon.root, 'master.m3u8');
    const heights = [...master.matchAll(/RESOLUTION=(\d+)x(\d+)/g)].map((m) => `${m[1]}x${m[2]}`);
    expect(heights).toEqual(['1280x720', '854x480', '640x360', '256x144']);
  });

  it('refuses a wrong key, another application or no key before creating anything', async () => {
    const axon = await startAxon();
    const started: string[] = [];
    axon.registry.on('started', (session) => started.push(session.livestreamId));
    const refused = [
      axon.publish({ ...SMALL, key: 'not-the-key' }),
      axon.publish({ ...SMALL, app: 'other' }),
      axon.publish({ ...SMALL, app: 'live', key: '' }),
    ];
    for (const publisher of refused) expect(await publisher.exited).not.toBe(0);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'RTMP publish refused: unknown stream key (wrong, rotated or deleted)',
        expect.stringMatching(/^RTMP publish refused: the application must be "live" /),
        'RTMP publish refused: no stream key',
      ]),
    );
    expect(started).toEqual([]);
    expect(axon.registry.isLive(LIVESTREAM)).toBe(false);
    expect(fs.readdirSync(axon.mediaDir)).toEqual([]);
  });

  it('closes connections over the per-address limit at once, with one log line, and counts each address apart', async () => {
    const axon = await startAxon(30, 2);
    const open = (from: string) =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port: axon.rtmp.port, localAddress: from }, () => resolve(socket));
        socket.once('error', reject);
        cleanups.push(async () => socket.destroy());
      });
    const closed = (socket: net.Socket) => new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
    const [first, second] = [await open('127.0.0.2'), await open('127.0.0.2')];
    const third = await open('127.0.0.2');
    expect(await closed(third)).toBe(true);
    const fourth = await open('127.0.0.2');
    expect(await closed(fourth)).toBe(true);
    expect(warnings.filter((w) => w.startsWith('RTMP connection refused'))).toEqual([
      'RTMP connection refused: this address already holds 2 connections, its limit',
    ]);
    // Another address has its own share; and a closed connection gives its place back.
    const elsewhere = await open('127.0.0.3');
    first.destroy();
    // The server learns of the close a moment after the client: until then the address still holds two.
    const again = await waitFor('a place for the address again', async () => {
      const socket = await open('127.0.0.2');
      await new Promise((r) => setTimeout(r, 200));
      return socket.destroyed ? undefined : socket;
    });
    for (const socket of [second, elsewhere, again]) expect(socket.destroyed).toBe(false);
  });

  it('refuses a second publisher while live; the first goes on', async () => {
    const axon = await startAxon();
    axon.publish(SMALL);
    const session = await waitFor('session', () => sessionOf(axon), 10_000);
    await waitFor('live', () => session.state === 'live');
    const second = axon.publish(SMALL);
    expect(await second.exited).not.toBe(0);
    expect(warnings).toContain('RTMP publish refused: this livestream already has a publisher');
    // Nor can anyone watch over RTMP, even with the key.
    expect(await playRtmp(`rtmp://127.0.0.1:${axon.rtmp.port}/live/${KEY}`)).not.toBe(0);
    const before = segmentsIn(await read(axon.root, '144p.m3u8')).length;
    await waitFor('more segments', async () => segmentsIn(await read(axon.root, '144p.m3u8')).length > before);
    expect(sessionOf(axon)).toBe(session);
    expect(session.restarts).toBe(0);
  });

  it('continues the same broadcast when the publisher returns within the window', async () => {
    const axon = await startAxon(20);
    const first = axon.publish(SMALL);
    const session = await waitFor('session', () => sessionOf(axon), 10_000);
    await waitFor('live', () => session.state === 'live');
    await first.kill();
    await waitFor('first run over', () => session.ffmpegPid === undefined);
    axon.publish(SMALL);
    await waitFor('a segment of the second run', async () => (await read(axon.root, '144p.m3u8')).includes('/r2/seg-'));
    expect(sessionOf(axon)).toBe(session);
    expect(session.state).toBe('live');
    const media = await read(axon.root, '144p.m3u8');
    expect(media.split('#EXT-X-DISCONTINUITY\n')).toHaveLength(2);
    expect(media).not.toContain('#EXT-X-ENDLIST');
    expect(fs.readdirSync(axon.root).filter((f) => f.startsWith('b'))).toEqual([session.broadcastId]);
  });

  it('lets a reconnecting publisher in when its old connection went silent without closing (network lost)', async () => {
    const axon = await startAxon(20);
    const first = axon.publish(SMALL);
    const session = await waitFor('session', () => sessionOf(axon), 10_000);
    await waitFor('live', () => session.state === 'live');
    // Stopped, the encoder keeps its TCP connection open and sends nothing, as when its network is gone.
    first.process.kill('SIGSTOP');
    // It reconnects and retries, as OBS does, until it is let in.
    let retry = axon.publish(SMALL);
    await waitFor('the reconnected publisher on the broadcast', async () => {
      if (retry.process.exitCode !== null) retry = axon.publish(SMALL);
      return (await read(axon.root, '144p.m3u8')).includes('/r2/seg-');
    });
    // Let in because the old connection was silent, not because the server's idle timeout dropped it.
    expect(warnings).toContain('RTMP publisher silent for over 3 s replaced by a new publish of its key');
    expect(sessionOf(axon)).toBe(session);
    expect(session.state).toBe('live');
    expect((await read(axon.root, '144p.m3u8')).split('#EXT-X-DISCONTINUITY\n')).toHaveLength(2);
  });

  it('ends the broadcast when the publisher does not return within the window', async () => {
    const axon = await startAxon(3);
    const first = axon.publish(SMALL);
    const session = await waitFor('session', () => sessionOf(axon), 10_000);
    await waitFor('live', () => session.state === 'live');
    const ended = new Promise<string>((resolve) => session.once('ended', resolve));
    await first.kill();
    expect(await ended).toBe('the publisher did not return within 3 s');
    expect(axon.registry.isLive(LIVESTREAM)).toBe(false);
    expect(await read(axon.root, '144p.m3u8')).toContain('#EXT-X-ENDLIST');

    // The livestream can go live again, as a new broadcast.
    axon.publish(SMALL);
    const next = await waitFor('a new session', () => sessionOf(axon), 10_000);
    expect(next.broadcastId).not.toBe(session.broadcastId);
  });

  it('ends the broadcast at once when the publisher stops cleanly (deleteStream), without waiting for the window', async () => {
    const axon = await startAxon(60);
    // FFmpeg at the end of its input unpublishes as OBS's "Stop Streaming" does: FCUnpublish, deleteStream, close.
    const publisher = axon.publish({ ...SMALL, durationS: 8 });
    const session = await waitFor('session', () => sessionOf(axon), 10_000);
    await waitFor('live', () => session.state === 'live');
    const ended = new Promise<string>((resolve) => session.once('ended', resolve));
    expect(await publisher.exited).toBe(0);
    // Waiting out the 60 s window would end it as "the publisher did not return within 60 s".
    expect(await ended).toBe('the publisher stopped');
    expect(axon.registry.isLive(LIVESTREAM)).toBe(false);
    expect(await read(axon.root, '144p.m3u8')).toContain('#EXT-X-ENDLIST');
  });

  it('refuses codecs it cannot take and audio-only publishes with a clear reason; takes video-only', async () => {
    const axon = await startAxon();
    expect(await axon.publish({ ...SMALL, videoCodec: 'flv1' }).exited).not.toBe(0);
    expect(await axon.publish({ video: false }).exited).not.toBe(0);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'RTMP publish refused: video codec Sorenson H.263 is not supported: Axon takes H.264 video with AAC audio or no audio',
        'RTMP publish refused: audio-only publishes are not supported: Axon takes H.264 video with AAC audio or no audio',
      ]),
    );
    expect(axon.registry.isLive(LIVESTREAM)).toBe(false);

    axon.publish({ ...SMALL, audio: false });
    const session = await waitFor('session', () => sessionOf(axon), 10_000);
    await waitFor('live', () => session.state === 'live');
    await waitFor('an audio segment', async () => segmentsIn(await read(axon.root, 'audio.m3u8')).length > 0);
  });

  it('stays healthy after garbage, aborted handshakes and stalled connections', async () => {
    const axon = await startAxon();
    const { port } = axon.rtmp;
    await sendRaw(port, randomBytes(64 * 1024));
    // A valid handshake version, then garbage where the handshake and chunks should be.
    await sendRaw(port, Buffer.concat([Buffer.from([3]), randomBytes(1536 * 2 + 64 * 1024)]));
    await sendRaw(port, Buffer.concat([Buffer.from([3]), randomBytes(700)]));
    await sendRaw(port, Buffer.concat([Buffer.from([3]), randomBytes(1536)]), true);
    await sendRaw(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));

    axon.publish(SMALL);
    const session = await waitFor('session', () => sessionOf(axon), 10_000);
    await waitFor('live', () => session.state === 'live');
  });
});
