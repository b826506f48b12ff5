import { expect, test } from '@playwright/test';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { createLivestream } from './fixtures/api.js';
import { signIn } from './fixtures/dashboard.js';
import { E2E_API_TOKEN } from './fixtures/env.js';
import { subscribeWebhook } from './fixtures/webhooks.js';

test('the dashboard card of a live RTMP broadcast shows its measured health and warns about a 6 s GOP, as does a webhook', async ({ page, request }) => {
  const { receiver, close } = await subscribeWebhook(request, ['livestream.health.warning']);
  const ls = await createLivestream(request, `e2e ingest health ${Date.now()}`);
  await signIn(page, E2E_API_TOKEN);
  const card = page.locator(`[data-testid="livestream"][data-id="${ls.id}"]`);
  const health = card.getByTestId('ingest-health');
  await expect(card).toBeVisible();
  await expect(health).toBeHidden();

  const publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 640, height: 360, keyframeIntervalS: 6 });
  try {
    // The dashboard refreshes on its own.
    await expect(health).toBeVisible({ timeout: 20_000 });
    await expect(health.getByTestId('health-protocol')).toHaveText('RTMP');
    await expect(health.getByTestId('health-video')).toHaveText('H.264 640×360');
    await expect(health.getByTestId('health-audio')).toHaveText('AAC');
    await expect(health.getByTestId('health-fps')).toHaveText(/^(29|30|31)(\.\d)? fps$/, { timeout: 15_000 });
    await expect(health.getByTestId('health-bitrate')).toHaveText(/^\d+(\.\d+)? (kbps|Mbps)$/);
    await expect(health.getByTestId('health-warnings')).toContainText('Keyframes arrive every', { timeout: 20_000 });
    await expect(health.getByTestId('health-keyframes')).toHaveText(/^[56]\.\d s$/);
    // Two samples or more make a line.
    await expect(health.locator('polyline.chart-bitrate')).toHaveAttribute('points', /^\S+,\S+ \S+,\S+/);
    const warned = () => receiver.delivered().flatMap((p) => (p.type === 'livestream.health.warning' && p.data.livestreamId === ls.id ? [p.data.code] : []));
    await expect.poll(warned, { timeout: 30_000 }).toContain('keyframe_interval');
  } finally {
    await publisher.kill();
    await close();
  }
  await expect(health).toBeHidden({ timeout: 30_000 });
});
