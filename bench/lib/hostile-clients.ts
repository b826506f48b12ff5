import RtmpClient from 'node-media-server/src/protocol/rtmp_client.js';

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
