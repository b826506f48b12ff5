import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { capturedLogger } from '../../test/fixtures/captured-log.js';
import { connectRedisAdapter } from './redis-adapter.js';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('connectRedisAdapter', () => {
  it('stops the start after its attempts when Redis cannot be reached, and keeps the password out of the error and the log', async () => {
    const log = capturedLogger();
    const url = `redis://:not-for-logs@127.0.0.1:${await closedPort()}`;
    const error = await connectRedisAdapter(url, log).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toMatch(/^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: .*ECONNREFUSED/);
    expect(log.lines.length).toBeGreaterThan(0);
    for (const text of [error?.message ?? '', ...log.lines.map((l) => l.text)]) expect(text).not.toContain('not-for-logs');
  });
});
