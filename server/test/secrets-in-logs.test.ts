import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { startAxonServer, type AxonServer } from '../../bench/lib/axon-server.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { waitFor } from './fixtures/wait-for.js';
import { WrtcClient } from './fixtures/webrtc-http-server.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function started<T extends { kill(): Promise<void> }>(client: T): T {
  cleanups.push(() => client.kill());
  return client;
}

interface JsonLine {
  level: string;
  time: string;
  component: string;
  msg: string;
  [field: string]: unknown;
}

/** The server's log lines; each one is a JSON object, whatever wrote it. */
function logLines(server: AxonServer): JsonLine[] {
  return server
    .logTail(Infinity)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonLine);
}

/** Live with its transcode running: every line of a broadcast's start has been written. */
const isLive = (server: AxonServer, id: string) =>
  logLines(server).some((line) => line.component === `axon:session:${id}` && line.msg === 'broadcast is live');

it('no stream key and no API token in any log line at debug, whatever the ingest or the key', { timeout: 120_000 }, async () => {
  // The token is given (AXON_API_TOKEN), so the one line that may show a token, its generation, never happens.
  const server = await startAxonServer({
    env: { AXON_LOG_LEVEL: 'debug', AXON_LADDER: '144', AXON_X264_PRESET: 'ultrafast', AXON_MEDIASOUP_WORKERS: '1' },
  });
  cleanups.push(() => server.stop());
  const [rtmp, whip, studio] = await Promise.all(['rtmp', 'whip', 'studio'].map((name) => server.createLivestream(`secrets ${name}`)));
  const rtmpUrl = (appAndKey: string) => `rtmp://127.0.0.1:${server.rtmpPort}/${appAndKey}`;
  const whipUrl = (id: string) => `${server.baseUrl}/whip/${id}`;
  const small = { width: 320, height: 180 };

  // A broadcast over each ingest, live.
  started(new FfmpegRtmpPublisher({ url: rtmpUrl(`live/${rtmp!.streamKey}`), ...small }));
  started(WrtcClient.publish(whipUrl(whip!.id), whip!.streamKey, '--no-audio'));
  started(WrtcClient.studio(server.baseUrl, studio!.id, studio!.streamKey, '--no-audio'));
  for (const ls of [rtmp!, whip!, studio!]) await waitFor(`${ls.name} live`, () => isLive(server, ls.id), 60_000);

  // Wrong keys on every ingest, and a key given as the RTMP application (the whole URL in OBS's Server field).
  const wrongKey = randomBytes(24).toString('base64url');
  const refusals = [
    started(new FfmpegRtmpPublisher({ url: rtmpUrl(`live/${wrongKey}`), ...small })).exited,
    started(new FfmpegRtmpPublisher({ url: rtmpUrl(`${rtmp!.streamKey}/x`), ...small })).exited,
    started(WrtcClient.publish(whipUrl(whip!.id), wrongKey, '--no-audio')).exited,
    started(WrtcClient.studio(server.baseUrl, studio!.id, wrongKey, '--no-audio')).exited,
  ];
  for (const exited of refusals) expect(await exited).not.toBe(0);

  // Rotated keys: the old ones are refused from now on.
  const oldKeys = [rtmp!.streamKey, whip!.streamKey];
  for (const ls of [rtmp!, whip!]) {
    const rotated = await server.request(`/api/livestreams/${ls.id}/rotate-key`, { method: 'POST', headers: { authorization: `Bearer ${server.apiToken}` } });
    expect(rotated.status).toBe(200);
  }
  const oldKeyRefusals = [
    started(new FfmpegRtmpPublisher({ url: rtmpUrl(`live/${rtmp!.streamKey}`), ...small })).exited,
    started(WrtcClient.publish(whipUrl(whip!.id), whip!.streamKey, '--no-audio')).exited,
  ];
  for (const exited of oldKeyRefusals) expect(await exited).not.toBe(0);

  // Secrets in the places an HTTP client puts them: the Authorization header, a query, a request id.
  const authorization = { authorization: `Bearer ${server.apiToken}` };
  expect((await server.request(`/api/livestreams?token=${wrongKey}`, { headers: authorization })).status).toBeLessThan(500);
  expect((await server.request(`/no/such/page?key=${studio!.streamKey}`, { headers: { 'x-request-id': 'secrets-test-1' } })).status).toBe(404);

  for (const cleanup of cleanups.splice(1).reverse()) await cleanup();
  const lines = logLines(server);
  // The log really is at debug, node-media-server's and each request's lines included.
  expect(lines.some((line) => line.level === 'debug' && line.msg.startsWith('node-media-server: '))).toBe(true);
  expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', reqId: 'secrets-test-1', path: '/no/such/page', status: 404 }));
  const log = server.logTail(Infinity);
  const secrets = { apiToken: server.apiToken, wrongKey, rtmpKey: oldKeys[0]!, whipKey: oldKeys[1]!, studioKey: studio!.streamKey };
  for (const [name, secret] of Object.entries(secrets)) {
    const lines = log.split('\n').filter((line) => line.includes(secret));
    expect(lines, `${name} in the log`).toEqual([]);
  }
});
