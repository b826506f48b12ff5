import { expect, test } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { type NginxRtmp, startNginxRtmp } from '../server/test/fixtures/nginx-rtmp.js';
import { E2E_API_TOKEN } from './fixtures/env.js';

const KEY = `e2e-restream-${randomBytes(12).toString('base64url')}`;
let nginx: NginxRtmp;
let dir: string;

test.beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-e2e-restream-'));
  nginx = await startNginxRtmp(dir, [KEY]);
});

test.afterAll(async () => {
  await nginx?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('manage restream targets on the card and watch one go live with the broadcast', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('API token').fill(E2E_API_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const name = `e2e restream ${Date.now()}`;
  await page.getByLabel('New livestream').fill(name);
  await page.getByRole('button', { name: 'Create' }).click();
  const card = page.getByTestId('livestream').filter({ has: page.getByTestId('livestream-name').getByText(name, { exact: true }) });
  const panel = card.getByTestId('restream-panel');
  await panel.locator('summary').click();

  // The Twitch preset fills its ingest URL; any other server is typed in.
  await panel.getByLabel('Destination').selectOption({ label: 'Twitch' });
  await expect(panel.getByLabel('Server URL')).toHaveValue('rtmp://live.twitch.tv/app');
  await panel.getByLabel('Destination').selectOption({ label: 'Other RTMP(S) server' });
  await panel.getByLabel('Name').fill('nginx');
  await panel.getByLabel('Server URL').fill('http://not-rtmp.example.com/app');
  await panel.getByLabel('Stream key').fill(KEY);
  await panel.getByRole('button', { name: 'Add target' }).click();
  await expect(panel.getByTestId('restream-error')).toContainText('rtmp:// or rtmps://');
  await panel.getByLabel('Server URL').fill(nginx.url);
  await panel.getByRole('button', { name: 'Add target' }).click();
  const row = panel.getByTestId('restream');
  await expect(row).toContainText(`key …${KEY.slice(-4)}`);
  await expect(row.getByTestId('restream-status')).toHaveText('idle');
  expect(await page.content()).not.toContain(KEY);

  const streamKey = await card.getByTestId('stream-key').inputValue();
  const rtmpUrl = await card.getByTestId('rtmp-url').inputValue();
  const publisher = new FfmpegRtmpPublisher({ url: `${rtmpUrl}/${streamKey}` });
  try {
    await expect(row.getByTestId('restream-status')).toHaveText('live', { timeout: 30_000 });
    await expect(row.getByTestId('restream-detail')).toContainText('as published');
    await row.getByRole('button', { name: 'Disable restream to nginx', exact: true }).click();
    await expect(row.getByTestId('restream-status')).toHaveText('disabled');
  } finally {
    await publisher.kill();
  }
  expect(nginx.recordings(KEY)).toHaveLength(1);

  await row.getByRole('button', { name: 'Delete restream to nginx', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(panel.getByTestId('restream')).toHaveCount(0);
});
