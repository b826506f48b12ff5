import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { allocateUdpPortPair } from './udp-ports.js';

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

describe('allocateUdpPortPair', () => {
  it('hands out an even RTP port and the next one for RTCP, both free, outside the avoided range', async () => {
    const avoid = { min: 1024, max: 65000 };
    const pair = await allocateUdpPortPair('127.0.0.1', avoid);
    expect(pair.rtpPort % 2).toBe(0);
    expect(pair.rtcpPort).toBe(pair.rtpPort + 1);
    expect(pair.rtpPort).toBeGreaterThan(avoid.max);
    expect(await bindable(pair.rtpPort)).toBe(true);
    expect(await bindable(pair.rtcpPort)).toBe(true);
    pair.release();
  });

  it('does not hand the same pair out twice until it is released, even to concurrent callers', async () => {
    // 50 pairs out of the ~265 above 65000: without the bookkeeping, picks would collide.
    const pairs = await Promise.all(Array.from({ length: 50 }, () => allocateUdpPortPair('127.0.0.1', { min: 1024, max: 65000 })));
    expect(new Set(pairs.map((p) => p.rtpPort)).size).toBe(pairs.length);
    for (const p of pairs) {
      p.release();
      p.release();
    }
  });
});
