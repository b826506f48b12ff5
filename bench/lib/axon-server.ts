import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Livestream } from '../../shared/livestream.js';
import { onCleanup } from './cleanup.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEALTHY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
/** mediasoup's UDP ports: a window far from the default range (40000-49999) other Axon processes use. */
const RTC_WINDOW = { lowest: 50_000, highest: 59_999, size: 200 };

export interface AxonServer {
  baseUrl: string;
  /** The Node process; mediasoup workers and FFmpeg are its children. */
  pid: number;
  apiToken: string;
  dataDir: string;
  /** Server output so far (stdout and stderr), for error messages. */
  logTail(lines?: number): string;
  createLivestream(name: string): Promise<Livestream>;
  /** Graceful stop (SIGTERM, as an operator would), then SIGKILL of its process group; removes the data dir. */
  stop(): Promise<void>;
}

export interface StartServerOptions {
  /** Extra environment (e.g. AXON_LADDER) on top of what the suite sets. */
  env?: Record<string, string>;
}

/** A TCP port free right now on 127.0.0.1. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(baseUrl: string, exited: () => boolean, logTail: () => string): Promise<void> {
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`the Axon server exited while starting:\n${logTail()}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the Axon server was not healthy within ${HEALTHY_TIMEOUT_MS / 1000} s:\n${logTail()}`);
}

/**
 * Starts `node --import tsx server/src/main.ts` as `npm start` would, on free ports with a fresh data
 * directory and API token, in a process group of its own so that stopping it reaches everything it spawned.
 */
export async function startAxonServer(options: StartServerOptions = {}): Promise<AxonServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-bench-'));
  const port = await freeTcpPort();
  const rtcMin = randomInt(RTC_WINDOW.lowest, RTC_WINDOW.highest - RTC_WINDOW.size);
  const apiToken = `bench-${randomBytes(16).toString('hex')}`;
  const baseUrl = `http://127.0.0.1:${port}`;
  const logFile = path.join(dataDir, 'server.log');
  const logFd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      AXON_PUBLIC_URL: baseUrl,
      AXON_DATA_DIR: dataDir,
      AXON_API_TOKEN: apiToken,
      RTC_MIN_PORT: String(rtcMin),
      RTC_MAX_PORT: String(rtcMin + RTC_WINDOW.size - 1),
      RTMP_PORT: String(await freeTcpPort()),
      AXON_LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  fs.closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the Axon server');
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const logTail = (lines = 40) => {
    try {
      return fs.readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is already empty
    }
  };
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(killGroup, STOP_GRACE_MS);
        await exit;
        clearTimeout(timer);
      }
      // Whatever outlived a graceful stop (an FFmpeg it lost track of) goes with the group.
      killGroup();
      unregister();
      fs.rmSync(dataDir, { recursive: true, force: true });
    })());
  const unregister = onCleanup({
    run: stop,
    runSync: () => {
      killGroup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });

  try {
    await waitHealthy(baseUrl, () => exited, logTail);
  } catch (err) {
    await stop();
    throw err;
  }

  const createLivestream = async (name: string): Promise<Livestream> => {
    const response = await fetch(`${baseUrl}/api/livestreams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    if (response.status !== 201) throw new Error(`POST /api/livestreams: ${response.status} ${await response.text()}`);
    return (await response.json()) as Livestream;
  };

  return { baseUrl, pid, apiToken, dataDir, logTail, createLivestream, stop };
}
