import { afterEach, expect, it } from 'vitest';
import type { Livestream } from '../../shared/livestream.js';
import type { CreatedWebhook, WebhookDeliveryList, WebhookEventType, WebhookPayload } from '../../shared/webhooks.js';
import { type AxonProcess, startAxon } from './fixtures/axon-process.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';
import { WebhookReceiver } from './fixtures/webhook-receiver.js';

const TOKEN = 'webhooks-server-token-0123456789';
const makeTempDir = tempDirs();

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(dataDir: string): Promise<AxonProcess> {
  const axon = await startAxon(dataDir, TOKEN);
  cleanups.push(axon.kill);
  return axon;
}

async function post<T>(axon: AxonProcess, path: string, body: object): Promise<T> {
  const res = await fetch(axon.base + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as T;
}

async function deliveries(axon: AxonProcess, webhookId: string): Promise<WebhookDeliveryList> {
  const res = await fetch(`${axon.base}/api/webhooks/${webhookId}/deliveries`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return (await res.json()) as WebhookDeliveryList;
}

it('an RTMP broadcast sends signed events that are retried while the receiver answers 500 and delivered after a restart', async () => {
  const receiver = await WebhookReceiver.start();
  cleanups.push(() => receiver.close());
  const dataDir = makeTempDir('axon-webhooks-server-');
  const first = await start(dataDir);
  const webhook = await post<CreatedWebhook>(first, '/api/webhooks', { url: receiver.url });
  receiver.secret = webhook.secret;
  const ls = await post<Livestream>(first, '/api/livestreams', { name: 'Hooked' });

  const publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${first.rtmpPort}/live/${ls.streamKey}`, width: 320, height: 180, durationS: 8 });
  cleanups.push(() => publisher.kill());
  const [started] = await waitFor('livestream.started at the receiver', () => (receiver.delivered().length > 0 ? receiver.delivered() : undefined));
  expect(started).toMatchObject({ type: 'livestream.started', data: { livestreamId: ls.id, protocol: 'rtmp' } });

  // From now on the receiver fails: the end of the broadcast and its recording wait in the queue.
  receiver.behaviour = () => 500;
  expect(await publisher.exited).toBe(0);
  const refused = await waitFor('the end and the recording, refused', () => {
    const types = new Set(receiver.received.filter((r) => r.payload && r.answered === 500).map((r) => r.payload!.type));
    return types.has('livestream.ended') && types.has('recording.ready') ? receiver.received.filter((r) => r.answered === 500) : undefined;
  });
  const log = await deliveries(first, webhook.id);
  expect(log.items.map((d) => `${d.eventType} ${d.state}`).sort()).toEqual([
    'livestream.ended pending',
    'livestream.started delivered',
    'recording.ready pending',
  ]);
  for (const d of log.items.filter((i) => i.state === 'pending')) expect(d).toMatchObject({ lastStatus: 500, lastError: 'the receiver answered HTTP 500' });

  first.child.kill('SIGTERM');
  expect(await first.exited).toBe(0);
  receiver.behaviour = () => 204;
  const second = await start(dataDir);

  const byType = await waitFor('every event delivered after the restart', () => {
    const delivered = new Map<WebhookEventType, WebhookPayload>(receiver.delivered().map((p) => [p.type, p]));
    return delivered.size === 3 ? delivered : undefined;
  }, 60_000);
  // Each retry carries the id of the delivery it repeats, so a receiver can drop duplicates.
  const refusedIds = new Set(refused.map((r) => r.id));
  expect(receiver.received.filter((r) => r.answered === 204 && refusedIds.has(r.id))).toHaveLength(refusedIds.size);
  expect(receiver.received.every((r) => r.rejected === undefined)).toBe(true);

  const ended = byType.get('livestream.ended') as WebhookPayload<'livestream.ended'>;
  const ready = byType.get('recording.ready') as WebhookPayload<'recording.ready'>;
  const startedData = (started as WebhookPayload<'livestream.started'>).data;
  expect(ended.data).toMatchObject({ livestreamId: ls.id, broadcastId: startedData.broadcastId, startedAt: startedData.startedAt });
  expect(ended.data.reason).not.toBe('');
  expect(ready.data).toMatchObject({ livestreamId: ls.id, id: startedData.broadcastId, status: 'complete' });
  expect(ready.data.hlsUrl).toBe(`${first.base}/live/${ls.id}/${startedData.broadcastId}/master.m3u8`);
  expect(Date.parse(started!.timestamp)).toBeLessThan(Date.parse(ended.timestamp));

  const after = await deliveries(second, webhook.id);
  expect(after.items.every((d) => d.state === 'delivered')).toBe(true);
  expect(after.items.filter((d) => d.attempts >= 2).map((d) => d.eventType).sort()).toEqual(['livestream.ended', 'recording.ready']);
  expect(first.output() + second.output()).not.toContain(webhook.secret);
});
