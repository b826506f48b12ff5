import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { io } from 'socket.io-client';
import { startAxonServer, type AxonServer } from '../bench/lib/axon-server.js';
import type { Livestream } from '../shared/livestream.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { listedSegments, livestreamStatus, rungHeights } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';
import { goLive, studioUrl } from './fixtures/studio.js';
import { createTestCa, servedCertificate, type TestCa } from './fixtures/test-ca.js';
import { createServerHost, hostSupport, type ServerHost } from './fixtures/test-hosts.js';
import { expectRealtimePlayback, iceProtocols, recordPeerConnections } from './fixtures/webrtc.js';

/*
 * Axon on one host (a network namespace, "the server host"), its users on another (this one): every byte
 * between them crosses a veth pair, as it would cross a network. The server has a certificate from a CA
 * made for the test; browsers are told to accept it (ignoreHTTPSErrors), Node clients trust the CA.
 */

const support = hostSupport();
test.skip(!support.ok, support.ok ? '' : support.reason);

const execFileAsync = promisify(execFile);

interface Deployment {
  host: ServerHost;
  server: AxonServer;
  /** Public API calls (status, playlists) from the user's host. */
  api: APIRequestContext;
}

/** Starts Axon on a new server host; `withTls` issues the certificate (for the host's address) first. */
async function deploy(
  playwright: { request: { newContext(o: object): Promise<APIRequestContext> } },
  withTls?: (host: ServerHost) => Promise<{ certPath: string; keyPath: string; caPem: string }>,
): Promise<Deployment> {
  const host = await createServerHost();
  try {
    const tlsFiles = await withTls?.(host);
    // The HTTPS deployment is set up as the README's "Deploying on a server" tells an operator: mediasoup on
    // every interface, announcing the address clients reach.
    const rtc: Record<string, string> = tlsFiles ? { RTC_LISTEN_IP: '0.0.0.0', RTC_ANNOUNCED_IP: host.serverIp } : {};
    // A short reconnect window, as on the suite's own server: a closed publisher's broadcast ends within a spec.
    const server = await startAxonServer({ host, tls: tlsFiles, env: { AXON_LOG_LEVEL: 'info', AXON_RECONNECT_WINDOW_S: '5', ...rtc } });
    const api = await playwright.request.newContext({ baseURL: server.baseUrl, ignoreHTTPSErrors: true });
    return { host, server, api };
  } catch (err) {
    await host.close();
    throw err;
  }
}

async function undeploy(d: Deployment | undefined): Promise<void> {
  await d?.api.dispose();
  await d?.server.stop();
  await d?.host.close();
}

const httpsPort = (d: Deployment) => Number(new URL(d.server.baseUrl).port);

/** A browser on the user's host, for pages of this deployment. */
const userContext = (browser: Browser, d: Deployment): Promise<BrowserContext> =>
  browser.newContext({ baseURL: d.server.baseUrl, ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'] });

async function openStudio(context: BrowserContext, ls: Livestream, protocol: 'mediasoup' | 'whip'): Promise<Page> {
  const studio = await context.newPage();
  await studio.addInitScript(recordPeerConnections);
  await studio.goto(studioUrl(ls));
  if (protocol === 'whip') await studio.locator('#protocol').selectOption('whip');
  return studio;
}

/** Segments listed in the first rung's playlist keep growing: the broadcast is flowing. */
async function expectFlowing(api: APIRequestContext, id: string): Promise<void> {
  const before = await listedSegments(api, id);
  await expect.poll(() => listedSegments(api, id), { timeout: 15_000 }).toBeGreaterThan(before);
}

/**
 * Runs `during` while FFmpeg publishes a livestream over RTMPS, then checks that nothing it did touched the
 * broadcast: the same publisher is still connected, segments keep coming, the livestream is live.
 */
async function duringRtmpsBroadcast(d: Deployment, name: string, during: () => Promise<void>): Promise<void> {
  const ls = await d.server.createLivestream(name);
  const publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpsUrl}/${ls.streamKey}` });
  try {
    await expect.poll(() => livestreamStatus(d.api, ls.id), { timeout: 20_000 }).toBe('live');
    await expectFlowing(d.api, ls.id);
    await during();
    expect(publisher.process.exitCode, publisher.errors).toBeNull();
    await expectFlowing(d.api, ls.id);
    expect(await livestreamStatus(d.api, ls.id)).toBe('live');
  } finally {
    await publisher.kill();
  }
}

/** Resolves when the server closes the connection; fails when it is still open after `ms`. */
function closedWithin(socket: net.Socket, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${ms / 1000} s`));
    }, ms);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test.describe.serial('Axon on another host, over HTTPS', () => {
  let ca: TestCa;
  let d: Deployment;
  let tlsFiles: { certPath: string; keyPath: string; caPem: string };

  test.beforeAll(async ({ playwright }) => {
    ca = await createTestCa();
    tlsFiles = { certPath: path.join(ca.dir, 'server.pem'), keyPath: path.join(ca.dir, 'server.key'), caPem: ca.caCertPem };
    d = await deploy(playwright, async (host) => {
      // The certificate names the server host's address, as a real one names the server's name.
      await ca.issue({ ip: host.serverIp, ...tlsFiles });
      return tlsFiles;
    });
  });

  test.afterAll(async () => {
    await undeploy(d);
    ca?.close();
  });

  test('the server negotiates HTTP/2 with curl and sends its security headers', async () => {
    const { stdout } = await execFileAsync('curl', [
      ...['--silent', '--show-error', '--http2', '--cacert', ca.caCertPath, '--dump-header', '-', '--output', '/dev/null'],
      ...['--write-out', 'version=%{http_version}\n', `${d.server.baseUrl}/`],
    ]);
    expect(stdout).toContain('version=2');
    expect(stdout).toMatch(/^strict-transport-security: max-age=\d+/m);
    expect(stdout).toMatch(/^content-security-policy: .*frame-ancestors 'self'/m);
    expect(stdout).toMatch(/^x-content-type-options: nosniff/m);
    // HTTP/1.1 clients (and WebSocket upgrades) are still served on the same port.
    expect((await servedCertificate(d.host.serverIp, httpsPort(d), ca.caCertPem)).alpn).toBe('h2');
    const http1 = await d.server.request('/healthz');
    expect(http1.status).toBe(200);
    // Socket.IO upgrades to a WebSocket over TLS (HTTP/1.1 beside HTTP/2 on the same port).
    const socket = io(d.server.baseUrl, { transports: ['websocket'], ca: ca.caCertPem, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      expect(socket.io.engine.transport.name).toBe('websocket');
    } finally {
      socket.close();
    }
  });

  test('the dashboard over HTTPS shows the RTMPS server beside RTMP', async ({ browser }) => {
    const ls = await d.server.createLivestream('other host: dashboard');
    const context = await userContext(browser, d);
    try {
      const page = await context.newPage();
      await page.goto('/');
      await page.getByLabel('API token').fill(d.server.apiToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const card = page.locator(`[data-testid="livestream"][data-id="${ls.id}"]`);
      await card.getByText('Stream settings').click();
      await expect(card.getByTestId('rtmp-url')).toHaveValue(ls.rtmpUrl);
      await expect(card.getByTestId('rtmps-url')).toHaveValue(ls.rtmpsUrl!);
      await expect(card.getByTestId('rtmps-url')).toBeVisible();
    } finally {
      await context.close();
    }
  });

  test('the studio goes live over mediasoup signalling; HLS, DASH and real-time viewers play', async ({ browser }) => {
    const ls = await d.server.createLivestream('other host: studio');
    expect(ls.rtmpsUrl).toBe(`rtmps://${d.host.serverIp}:${d.server.rtmpsPort}/live`);
    const publisher = await userContext(browser, d);
    const viewer = await userContext(browser, d);
    try {
      const studio = await openStudio(publisher, ls, 'mediasoup');
      await goLive(studio);
      const page = await viewer.newPage();
      await page.goto(`/watch/${ls.id}`);
      await expectPlayback(page, 'hls');
      await page.goto(`/watch/${ls.id}?format=dash`);
      await expectPlayback(page, 'dash');
      await page.goto(`/watch/${ls.id}?format=webrtc`);
      await expectRealtimePlayback(page, 'video/VP8');
    } finally {
      await publisher.close();
      await viewer.close();
    }
    await expect.poll(() => livestreamStatus(d.api, ls.id), { timeout: 15_000 }).toBe('offline');
  });

  test('the studio goes live over WHIP and a viewer plays it', async ({ browser }) => {
    const ls = await d.server.createLivestream('other host: whip');
    const publisher = await userContext(browser, d);
    const viewer = await userContext(browser, d);
    try {
      await goLive(await openStudio(publisher, ls, 'whip'));
      const page = await viewer.newPage();
      await page.goto(`/watch/${ls.id}`);
      await expectPlayback(page, 'hls');
    } finally {
      await publisher.close();
      await viewer.close();
    }
  });

  test('with UDP to the WebRTC ports dropped, the studio and a real-time viewer connect over ICE-TCP', async ({ browser }) => {
    const ls = await d.server.createLivestream('other host: ice-tcp');
    await d.host.blockUdp(d.server.rtcPorts.min, d.server.rtcPorts.max);
    const publisher = await userContext(browser, d);
    const viewer = await userContext(browser, d);
    try {
      const studio = await openStudio(publisher, ls, 'mediasoup');
      await goLive(studio);
      expect(await iceProtocols(studio)).toEqual(['tcp']);
      const page = await viewer.newPage();
      await page.goto(`/watch/${ls.id}?format=webrtc`);
      await expectRealtimePlayback(page, 'video/VP8');
      expect(await iceProtocols(page, { player: true })).toEqual(['tcp']);
      const whipLs = await d.server.createLivestream('other host: whip over ice-tcp');
      const whipStudio = await openStudio(publisher, whipLs, 'whip');
      await goLive(whipStudio);
      expect(await iceProtocols(whipStudio)).toEqual(['tcp']);
    } finally {
      await publisher.close();
      await viewer.close();
      await d.host.unblockUdp();
    }
  });

  test('FFmpeg publishes over RTMPS and the ladder appears; a wrong key is refused', async () => {
    const ls = await d.server.createLivestream('other host: rtmps');
    const wrong = new FfmpegRtmpPublisher({ url: `${ls.rtmpsUrl}/not-the-key-${ls.streamKey.slice(0, 8)}`, durationS: 20 });
    // Refused at the publish, before any media: FFmpeg gives up at once.
    expect(await Promise.race([wrong.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))])).not.toBe(
      'still running',
    );
    await wrong.kill();
    expect(await livestreamStatus(d.api, ls.id)).toBe('offline');

    const publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpsUrl}/${ls.streamKey}`, width: 640, height: 360 });
    try {
      await expect.poll(() => livestreamStatus(d.api, ls.id), { timeout: 20_000 }).toBe('live');
      await expect.poll(async () => (await d.api.get(`/live/${ls.id}/master.m3u8`)).status(), { timeout: 20_000 }).toBe(200);
      expect(rungHeights(await (await d.api.get(`/live/${ls.id}/master.m3u8`)).text())).toEqual([360, 144]);
      await expectFlowing(d.api, ls.id);
    } finally {
      await publisher.kill();
    }
  });

  test('a renewed certificate is served without a restart while a broadcast keeps going', async () => {
    await duringRtmpsBroadcast(d, 'other host: renewal', async () => {
      const before = await servedCertificate(d.host.serverIp, httpsPort(d), ca.caCertPem);
      const renewed = await ca.issue({ ip: d.host.serverIp, certPath: tlsFiles.certPath, keyPath: tlsFiles.keyPath });
      expect(renewed.serial).not.toBe(before.serial);
      await expect
        .poll(async () => (await servedCertificate(d.host.serverIp, httpsPort(d), ca.caCertPem)).serial, { timeout: 15_000 })
        .toBe(renewed.serial);
      expect((await servedCertificate(d.host.serverIp, d.server.rtmpsPort!, ca.caCertPem)).serial).toBe(renewed.serial);
      // The same process: no restart.
      expect(process.kill(d.server.pid, 0)).toBe(true);
    });
  });

  test('garbage, silence and plain HTTP on the TLS ports are closed; the server and a live broadcast go on', async () => {
    await duringRtmpsBroadcast(d, 'other host: bad input', async () => {
      const rtmpsPort = d.server.rtmpsPort!;
      const connect = (port: number) => net.connect({ host: d.host.serverIp, port });
      const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 73 + 11) % 256));

      const closings: Array<Promise<void>> = [];
      for (const port of [httpsPort(d), rtmpsPort]) {
        // Not a TLS handshake at all.
        const noise = connect(port);
        noise.write(garbage);
        closings.push(closedWithin(noise, 5_000));
        // A TCP connection that never says anything: dropped when the handshake times out (10 s).
        closings.push(closedWithin(connect(port), 20_000));
      }
      // Plain HTTP sent to the HTTPS port.
      const plain = connect(httpsPort(d));
      plain.write(`GET /healthz HTTP/1.1\r\nHost: ${d.host.serverIp}\r\n\r\n`);
      closings.push(closedWithin(plain, 5_000));
      // A good TLS handshake on the RTMPS port, then bytes that are no RTMP handshake.
      const badRtmp = tls.connect({ host: d.host.serverIp, port: rtmpsPort, ca: ca.caCertPem });
      badRtmp.once('secureConnect', () => badRtmp.write(garbage));
      closings.push(closedWithin(badRtmp, 5_000));

      // Meanwhile, and after, everyone else is served.
      expect((await d.server.request('/healthz')).status).toBe(200);
      await Promise.all(closings);
      expect((await d.server.request('/healthz')).status).toBe(200);
    });
  });
});

test.describe.serial('Axon on another host, over plain HTTP', () => {
  let d: Deployment;

  test.beforeAll(async ({ playwright }) => {
    d = await deploy(playwright);
  });

  test.afterAll(async () => {
    await undeploy(d);
  });

  test('the studio explains that publishing needs HTTPS; a viewer still plays', async ({ browser }) => {
    // Said once at start, in words an operator can act on.
    expect(d.server.logTail(500).match(/browsers on other machines cannot publish.*AXON_TLS_CERT/g)).toHaveLength(1);
    const ls = await d.server.createLivestream('other host: plain http');
    expect(ls.rtmpsUrl).toBeNull();
    const context = await userContext(browser, d);
    const publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}` });
    try {
      const studio = await context.newPage();
      await studio.goto(studioUrl(ls));
      await expect(studio.getByTestId('studio-error')).toContainText('only over HTTPS', { timeout: 15_000 });
      await expect(studio.getByRole('button', { name: 'Go live' })).toBeDisabled();
      const page = await context.newPage();
      await page.goto(`/watch/${ls.id}`);
      await expectPlayback(page, 'hls');
    } finally {
      await publisher.kill();
      await context.close();
    }
  });
});
