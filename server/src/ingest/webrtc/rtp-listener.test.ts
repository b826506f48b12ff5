import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { untilUdpPortsBound } from './rtp-listener.js';

function bind(): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

describe('untilUdpPortsBound', () => {
  it('resolves once every port is bound, and gives up waiting for one that never is', async () => {
    const [a, b] = await Promise.all([bind(), bind()]);
    const ports = [a.address().port, b.address().port];
    // Well within the test's own timeout, far from the wait's.
    await untilUdpPortsBound(ports, 60_000);
    a.close();
    b.close();
    // Released again: nobody binds them now, so only the timeout ends the wait.
    let late = false;
    await Promise.race([untilUdpPortsBound(ports, 50).then(() => (late = true)), new Promise((r) => setTimeout(r, 5000))]);
    expect(late).toBe(true);
  });
});
