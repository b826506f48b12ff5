import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../log.js';
import { RtmpServer } from './rtmp-server.js';

/** C0 (version 3), then C1 and C2 of a simple handshake (time and zeros, then anything). */
const HANDSHAKE = Buffer.concat([Buffer.from([3]), Buffer.alloc(1536), Buffer.alloc(1536)]);
const CHUNK_SIZE = 128;
const COMMAND = 20;

type Amf = string | number | null | { [key: string]: Amf };

/** AMF0, enough of it for the commands of a publish. */
function amf0(value: Amf): Buffer {
  if (value === null) return Buffer.from([5]);
  if (typeof value === 'number') {
    const b = Buffer.alloc(9);
    b.writeDoubleBE(value, 1);
    return b;
  }
  const name = (s: string) => Buffer.concat([Buffer.from([s.length >> 8, s.length & 0xff]), Buffer.from(s)]);
  if (typeof value === 'string') return Buffer.concat([Buffer.from([2]), name(value)]);
  const fields = Object.entries(value).map(([k, v]) => Buffer.concat([name(k), amf0(v)]));
  return Buffer.concat([Buffer.from([3]), ...fields, Buffer.from([0, 0, 9])]);
}

/** One command message on chunk stream 3, cut into chunks of the default size. */
function command(streamId: number, ...values: Amf[]): Buffer {
  const body = Buffer.concat(values.map(amf0));
  const header = Buffer.alloc(12);
  header[0] = 3;
  header.writeUIntBE(body.length, 4, 3);
  header[7] = COMMAND;
  header.writeUInt32LE(streamId, 8);
  const chunks = [header];
  for (let at = 0; at < body.length; at += CHUNK_SIZE) {
    if (at > 0) chunks.push(Buffer.from([0xc3]));
    chunks.push(body.subarray(at, at + CHUNK_SIZE));
  }
  return Buffer.concat(chunks);
}

/** What an encoder sends to publish rtmp://host/live/<key>, after its handshake. */
const publishCommands = (key: string) => [
  command(0, 'connect', 1, { app: 'live', type: 'nonprivate', flashVer: 'FMLE/3.0', tcUrl: 'rtmp://127.0.0.1/live' }),
  command(0, 'createStream', 2, null),
  command(1, 'publish', 3, null, key, 'live'),
];

describe('RtmpServer on untrusted bytes', () => {
  let server: RtmpServer;
  const publishes: Array<{ app: unknown; streamKey: unknown }> = [];

  beforeAll(async () => {
    server = await RtmpServer.listen({
      host: '127.0.0.1',
      port: 0,
      onPublish: (publish) => {
        publishes.push({ app: publish.app, streamKey: publish.streamKey });
        publish.close();
      },
      log: createLogger('test'),
    });
  });
  afterAll(() => server.close());

  /** Sends the bytes on a new connection; resolves once the server has closed it, or after `waitMs`. */
  function send(bytes: Buffer, waitMs = 50): Promise<'closed' | 'open'> {
    return new Promise((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write(bytes));
      const timer = setTimeout(() => {
        socket.destroy();
        resolve('open');
      }, waitMs);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve('closed');
      });
      socket.resume();
    });
  }

  const stillTakesAPublish = async () => {
    publishes.length = 0;
    expect(await send(Buffer.concat([HANDSHAKE, ...publishCommands('k3y')]), 5000)).toBe('closed');
    expect(publishes).toEqual([{ app: 'live', streamKey: 'k3y' }]);
  };

  it('reads a well-formed publish', stillTakesAPublish);

  it('survives any bytes after a handshake', async () => {
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((b) => Buffer.from(b));
    await fc.assert(fc.asyncProperty(bytes, async (b) => void (await send(Buffer.concat([HANDSHAKE, b])))), { numRuns: 40 });
    await stillTakesAPublish();
  });

  it('survives a publish with bytes changed, and names any publish it hands on with strings', async () => {
    const whole = Buffer.concat(publishCommands('k3y'));
    const flip = fc.record({ at: fc.nat(whole.length - 1), byte: fc.integer({ min: 0, max: 255 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(flip, { minLength: 1, maxLength: 8 }), async (flips) => {
        const mutated = Buffer.from(whole);
        for (const { at, byte } of flips) mutated[at] = byte;
        publishes.length = 0;
        await send(Buffer.concat([HANDSHAKE, mutated]));
        for (const p of publishes) expect([typeof p.app, typeof p.streamKey]).toEqual(['string', 'string']);
      }),
      { numRuns: 60 },
    );
    await stillTakesAPublish();
  });
});
