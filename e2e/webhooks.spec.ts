import { expect, test } from '@playwright/test';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { WebhookReceiver } from '../server/test/fixtures/webhook-receiver.js';
import { createLivestream } from './fixtures/api.js';
import { E2E_API_TOKEN } from './fixtures/env.js';
import { broadcastFromStudio } from './fixtures/studio.js';
import { subscribeWebhook } from './fixtures/webhooks.js';

test('add a webhook from the dashboard, see its secret once and its deliveries, then delete it', async ({ page, request }) => {
  const receiver = await WebhookReceiver.start();
  try {
    await page.goto('/');
    await page.getByLabel('API token').fill(E2E_API_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const section = page.getByTestId('webhooks');
    await section.locator('summary').first().click();
    const add = section.getByTestId('webhook-add');
    await add.getByLabel('Webhook URL').fill(receiver.url);
    for (const event of ['livestream.ended', 'recording.ready', 'livestream.health.warning', 'restream.failed']) await add.getByLabel(event, { exact: true }).uncheck();
    await add.getByRole('button', { name: 'Add webhook' }).click();

    const secret = section.getByTestId('webhook-secret');
    await expect(secret).toHaveValue(/^whsec_/);
    receiver.secret = await secret.inputValue();
    const row = section.getByTestId('webhook').filter({ hasText: receiver.url });
    await expect(row.getByTestId('webhook-events')).toHaveText('livestream.started');

    const ls = await createLivestream(request, 'Webhook from the dashboard');
    const publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 320, height: 180 });
    try {
      await expect.poll(() => receiver.delivered().map((p) => p.type), { timeout: 30_000 }).toEqual(['livestream.started']);
    } finally {
      await publisher.kill();
    }
    await row.getByText('Recent deliveries').click();
    await expect(row.getByTestId('webhook-delivery')).toContainText('delivered · 1 attempt');

    // Shown once: after a reload the secret is nowhere in the page.
    await page.reload();
    await section.locator('summary').first().click();
    await expect(row).toBeVisible();
    expect(await page.content()).not.toContain(receiver.secret);

    // Edited in place: one more event, the same secret (the next delivery still verifies).
    await row.getByText('Edit', { exact: true }).click();
    await row.getByTestId('webhook-edit').getByLabel('livestream.ended', { exact: true }).check();
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row.getByTestId('webhook-events')).toHaveText('livestream.started, livestream.ended');

    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect(row).toHaveCount(0);
  } finally {
    await receiver.close();
  }
});

test('closing the studio tab ends its broadcast as End stream does, without waiting for the reconnect window', async ({ page, request }) => {
  const { receiver, close } = await subscribeWebhook(request, ['livestream.ended']);
  try {
    const ls = await createLivestream(request, 'Studio tab closed');
    await broadcastFromStudio(page, ls);
    // As a user closing the tab: the page's pagehide handlers run.
    await page.close({ runBeforeUnload: true });
    // Only this broadcast's end: one an earlier spec left may end meanwhile.
    const reasons = () => receiver.delivered().flatMap((p) => (p.type === 'livestream.ended' && p.data.livestreamId === ls.id ? [p.data.reason] : []));
    await expect.poll(reasons, { timeout: 30_000 }).toEqual(['publisher disconnected']);
  } finally {
    await close();
  }
});
