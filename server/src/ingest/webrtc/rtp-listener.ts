import fs from 'node:fs/promises';

const POLL_MS = 10;

/** The local ports of the UDP sockets bound on this host, from the kernel's table (Linux). */
async function boundUdpPorts(): Promise<Set<number> | undefined> {
  const table = await fs.readFile('/proc/net/udp', 'utf8').catch(() => undefined);
  if (table === undefined) return undefined;
  const ports = new Set<number>();
  // "sl local_address rem_address ...": local_address is hex IP:port.
  for (const line of table.split('\n').slice(1)) {
    const local = line.trim().split(/\s+/)[1];
    const port = local?.split(':')[1];
    if (port) ports.add(parseInt(port, 16));
  }
  return ports;
}

/**
 * Resolves once every one of `ports` is bound (FFmpeg opening its RTP input), or after `timeoutMs`, or at
 * once where the kernel's table cannot be read. What mediasoup sends before FFmpeg listens is lost, the
 * first keyframe with it: FFmpeg would then wait for the next one and start its output from it.
 */
export async function untilUdpPortsBound(ports: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bound = await boundUdpPorts();
    if (!bound || ports.every((p) => bound.has(p)) || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
