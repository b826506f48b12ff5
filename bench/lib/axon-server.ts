import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerHost } from '../../e2e/fixtures/test-hosts.js';
import type { Livestream } from '../../shared/livestream.js';
import { onCleanup } from './cleanup.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEALTHY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
/** mediasoup's UDP ports: a window far from the default range (40000-49999) other Axon processes use. */
const RTC_WINDOW = { lowest: 50_000, highest: 59_999, size: 200 };
const REQUEST_TIMEOUT_MS = 30_000;
/** Inside a server host's namespace nothing else listens: the well-known ports, as on a real server. */
const HOST_PORTS = { http: 8080, https: 8443, rtmp: 1935, rtmps: 1936 };

export interface AxonServer {
  /** http(s)://<address>:<port>, also the server's AXON_PUBLIC_URL. */
  baseUrl: string;
  /** The Node process; mediasoup workers and FFmpeg are its children. */
  pid: number;
  apiToken: string;
  dataDir: string;
  rtmpPort: number;
  /** Only with `tls`. */
  rtmpsPort?: number;
  /** The CA certificate its clients trust (with `tls`), for requests of one's own (httpRequest). */
  ca?: string;
  /** mediasoup's port range (RTC_MIN_PORT..RTC_MAX_PORT), e.g. for ServerHost.blockUdp. */
  rtcPorts: { min: number; max: number };
  /** Server output so far (stdout and stderr), for error messages. */
  logTail(lines?: number): string;
  /** A request to `path` on baseUrl, trusting the test CA when the server speaks HTTPS. */
  request(path: string, options?: Omit<HttpRequestOptions, 'ca'>): Promise<HttpResponse>;
  createLivestream(name: string): Promise<Livestream>;
  /** Graceful stop (SIGTERM, as an operator would), then SIGKILL of its process group; removes the data dir. */
  stop(): Promise<void>;
}

export interface StartServerOptions {
  /** Extra environment (e.g. AXON_LADDER) on top of what the suite sets; PORT, RTMP_PORT etc. included. */
  env?: Record<string, string>;
  /**
   * Runs the server on this host (inside its network namespace, listening on its serverIp) instead of on
   * 127.0.0.1. The host outlives the server: close it after stop().
   */
  host?: ServerHost;
  /** Serves HTTPS (HTTP/2 and HTTP/1.1) and RTMPS with this certificate; requests trust `caPem`. */
  tls?: { certPath: string; keyPath: string; caPem: string };
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** CA certificate(s) to trust for an https: URL, instead of the system's. */
  ca?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP/1.1 request over http: or https:, on a connection of its own. Global fetch cannot be given a CA,
 * and an HTTPS test server's certificate comes from a CA only the test knows.
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const requestOptions: https.RequestOptions = {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    };
    const req = (target.protocol === 'https:' ? https : http).request(target, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${requestOptions.method} ${url}: no answer within ${timeoutMs / 1000} s`)),
    );
    req.once('error', reject);
    req.end(options.body);
  });
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

async function waitHealthy(
  baseUrl: string,
  ca: string | undefined,
  exited: () => boolean,
  logTail: () => string,
): Promise<void> {
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`the Axon server exited while starting:\n${logTail()}`);
    try {
      if ((await httpRequest(`${baseUrl}/healthz`, { ca, timeoutMs: 5_000 })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the Axon server was not healthy within ${HEALTHY_TIMEOUT_MS / 1000} s:\n${logTail()}`);
}

/** A port from `options.env` when the caller fixed it there, else `fallback()`. */
async function portOption(
  env: Record<string, string> | undefined,
  name: string,
  fallback: () => Promise<number> | number,
): Promise<number> {
  const given = env?.[name];
  return given === undefined ? fallback() : Number(given);
}

/**
 * Starts `node --import tsx server/src/main.ts` as `npm start` would, on free ports with a fresh data
 * directory and API token, in a process group of its own so that stopping it reaches everything it spawned.
 * With `host`, it runs inside that host's network namespace (`ip netns exec` execs node, so `pid` is still
 * the server's) on the host's address and fixed ports.
 */
export async function startAxonServer(options: StartServerOptions = {}): Promise<AxonServer> {
  const { host, tls } = options;
  const hostPort = (port: number) => () => (host ? port : freeTcpPort());
  const port = await portOption(options.env, 'PORT', hostPort(tls ? HOST_PORTS.https : HOST_PORTS.http));
  const rtmpPort = await portOption(options.env, 'RTMP_PORT', hostPort(HOST_PORTS.rtmp));
  const rtmpsPort = tls ? await portOption(options.env, 'RTMPS_PORT', hostPort(HOST_PORTS.rtmps)) : undefined;
  const rtcMin = await portOption(options.env, 'RTC_MIN_PORT', () =>
    randomInt(RTC_WINDOW.lowest, RTC_WINDOW.highest - RTC_WINDOW.size),
  );
  const rtcMax = await portOption(options.env, 'RTC_MAX_PORT', () => rtcMin + RTC_WINDOW.size - 1);
  const address = host?.serverIp ?? '127.0.0.1';
  const baseUrl = `${tls ? 'https' : 'http'}://${address}:${port}`;
  const apiToken = `bench-${randomBytes(16).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-bench-'));
  const logFile = path.join(dataDir, 'server.log');
  const logFd = fs.openSync(logFile, 'w');
  const [command = process.execPath, ...args] = [
    ...(host?.execPrefix ?? []),
    process.execPath,
    '--import',
    'tsx',
    'server/src/main.ts',
  ];
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: address,
      AXON_PUBLIC_URL: baseUrl,
      AXON_DATA_DIR: dataDir,
      AXON_API_TOKEN: apiToken,
      RTC_MIN_PORT: String(rtcMin),
      RTC_MAX_PORT: String(rtcMax),
      RTMP_PORT: String(rtmpPort),
      AXON_LOG_LEVEL: 'warn',
      ...(host ? { RTC_LISTEN_IP: host.serverIp } : {}),
      ...(tls ? { AXON_TLS_CERT: tls.certPath, AXON_TLS_KEY: tls.keyPath, RTMPS_PORT: String(rtmpsPort) } : {}),
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
    await waitHealthy(baseUrl, tls?.caPem, () => exited, logTail);
  } catch (err) {
    await stop();
    throw err;
  }

  const request: AxonServer['request'] = (urlPath, requestOptions = {}) =>
    httpRequest(`${baseUrl}${urlPath}`, { ...requestOptions, ca: tls?.caPem });

  const createLivestream = async (name: string): Promise<Livestream> => {
    const response = await request('/api/livestreams', {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    if (response.status !== 201) throw new Error(`POST /api/livestreams: ${response.status} ${response.body}`);
    return JSON.parse(response.body) as Livestream;
  };

  return {
    baseUrl,
    pid,
    apiToken,
    dataDir,
    rtmpPort,
    ...(rtmpsPort === undefined ? {} : { rtmpsPort }),
    ...(tls ? { ca: tls.caPem } : {}),
    rtcPorts: { min: rtcMin, max: rtcMax },
    logTail,
    request,
    createLivestream,
    stop,
  };
}
