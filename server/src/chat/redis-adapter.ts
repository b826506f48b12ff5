import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Logger } from '../log.js';

export interface RedisAdapterConnection {
  /** For `io.adapter(...)`. */
  adapter: ReturnType<typeof createAdapter>;
  /** Quits both Redis clients; call after io.close(). */
  close(): Promise<void>;
}

/** Connection attempts at start-up before Axon gives up on Redis (a misconfigured URL should fail fast). */
const STARTUP_ATTEMPTS = 5;

/**
 * Connects the publishing and the subscribing Redis client the Socket.IO Redis adapter needs. Rejects when
 * Redis cannot be reached at start; once connected, a lost connection is retried for as long as it takes.
 */
export async function connectRedisAdapter(url: string, log: Logger): Promise<RedisAdapterConnection> {
  let connected = false;
  const pub = createClient({
    url,
    socket: {
      reconnectStrategy: (retries: number, cause: Error) => {
        if (!connected && retries >= STARTUP_ATTEMPTS) return cause;
        return Math.min(100 * 2 ** retries, 5000);
      },
    },
  });
  const sub = pub.duplicate();
  for (const [role, client] of [['publish', pub], ['subscribe', sub]] as const) {
    client.on('error', (error: unknown) => log.warn('redis connection error', { role, error }));
  }
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    // The other client may still be retrying: stop it without waiting for a reply that cannot come.
    await Promise.all([pub, sub].map((c) => (c.isOpen ? c.disconnect() : undefined)));
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  connected = true;
  log.info('Socket.IO shares rooms through Redis', { url: redactUrl(url) });
  return {
    adapter: createAdapter(pub, sub),
    close: async () => {
      await Promise.all([pub, sub].map((c) => (c.isOpen ? c.quit() : undefined)));
    },
  };
}

/** Keeps a password in the URL out of logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
