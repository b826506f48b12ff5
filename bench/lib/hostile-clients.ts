import RtmpClient from 'node-media-server/src/protocol/rtmp_client.js';
import type { AxonServer } from './axon-server.js';

/**
 * Asks to publish `name` with node-media-server's own RTMP client (one FFmpeg per publish would cost more
 * than the server under test); resolves once the server has closed the connection.
 */
export async function refusedPublish(port: number, name: string): Promise<void> {
  const client = new RtmpClient();
  const closed = new Promise<void>((resolve) => (client.onCloseCallback = () => resolve()));
  client.onErrorCallback = () => undefined;
  try {
    await client.connect(`rtmp://127.0.0.1:${port}/live/${name}`);
    await client.sendConnect();
    await client.sendCreateStream();
    await client.sendPublish(name);
  } catch {
    // Refused: the server closed the connection under a pending command.
  }
  await closed;
}

/** Runs `task` for 0..count-1, `parallel` at a time. */
export async function inBatches(count: number, parallel: number, task: (i: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, (_, j) => task(start + j)));
  }
}

/**
 * Environment for startAxonServer that preloads heap-probe.mjs: the server then reports the memory its
 * objects and buffers hold after a full collection (memoryInUse). RSS cannot tell a leak from memory the
 * allocator keeps for reuse; this can.
 */
export const heapProbeEnv = (): Record<string, string> => ({
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc --import ./bench/lib/heap-probe.mjs`.trim(),
});

/** Bytes the server's heap and buffers hold after a full collection (a server started with heapProbeEnv). */
export async function memoryInUse(server: Pick<AxonServer, 'pid' | 'logTail'>, timeoutMs = 5000): Promise<number> {
  const linesBefore = server.logTail(Infinity).split('\n').length;
  process.kill(server.pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = server.logTail(Infinity).split('\n').slice(linesBefore - 1).find((l) => l.startsWith('axon-memory-used '));
    if (line) return Number(line.split(' ')[1]);
    if (Date.now() > deadline) throw new Error('the server did not report its memory (started without heapProbeEnv?)');
    await new Promise((r) => setTimeout(r, 50));
  }
}
