import { expect, test, type Page } from '@playwright/test';
import { listedSegments } from './fixtures/api.js';
import { signIn } from './fixtures/dashboard.js';
import { E2E_API_TOKEN } from './fixtures/env.js';
import { expectPlayback } from './fixtures/playback.js';
import { goLive } from './fixtures/studio.js';

async function createFromDashboard(page: Page, name: string) {
  await page.getByLabel('New livestream').fill(name);
  await page.getByRole('button', { name: 'Create' }).click();
  const card = page.getByTestId('livestream').filter({ has: page.getByTestId('livestream-name').getByText(name, { exact: true }) });
  await expect(card).toBeVisible();
  return card;
}

test('a wrong API token is refused plainly', async ({ page }) => {
  await signIn(page, 'not-the-token-0123456789');
  await expect(page.getByTestId('dashboard-error')).toHaveText('Wrong token');
});

test('sign in, create a livestream, go live from the browser, see it live, and play its embed', async ({ page, context }) => {
  await signIn(page, E2E_API_TOKEN);
  const card = await createFromDashboard(page, `e2e dashboard ${Date.now()}`);
  await expect(card.getByTestId('livestream-status')).toHaveText('offline');
  const id = await card.getAttribute('data-id');
  expect(id).toBeTruthy();

  // The embed is open before the broadcast: it waits, then plays without a reload.
  const embed = await context.newPage();
  await embed.goto(`/embed/${id}`);
  await expect(embed.getByTestId('player-state')).toHaveText('Offline — waiting for the stream');

  const studioHref = await card.getByRole('link', { name: 'Go live from browser' }).getAttribute('href');
  expect(studioHref).toMatch(new RegExp(`^/studio/${id}#key=.+`));
  const studio = await context.newPage();
  await studio.goto(studioHref!);
  await goLive(studio);

  // The dashboard refreshes on its own.
  await expect(card.getByTestId('livestream-status')).toHaveText('live', { timeout: 15_000 });
  await expectPlayback(embed, 'hls');

  await studio.getByRole('button', { name: 'End stream' }).click();
  await expect(studio.getByTestId('live-indicator')).toHaveText('Offline');
  await expect(card.getByTestId('livestream-status')).toHaveText('offline', { timeout: 15_000 });
  await expect(embed.getByTestId('player-state')).toHaveText('Stream ended', { timeout: 15_000 });

  // The next broadcast plays in the same embed.
  await goLive(studio);
  await expectPlayback(embed, 'hls');
});

test('rename, rotate the key and delete, each through its dialog', async ({ page }) => {
  await signIn(page, E2E_API_TOKEN);
  const name = `e2e rename ${Date.now()}`;
  const card = await createFromDashboard(page, name);

  await card.getByRole('button', { name: 'Rename' }).click();
  const renameDialog = page.getByRole('dialog');
  await renameDialog.getByRole('textbox').fill(`${name} (renamed)`);
  await renameDialog.getByRole('button', { name: 'Save' }).click();
  const renamed = page.getByTestId('livestream').filter({ has: page.getByText(`${name} (renamed)`, { exact: true }) });
  await expect(renamed).toBeVisible();

  const key = renamed.getByTestId('stream-key');
  const before = await key.inputValue();
  await renamed.getByRole('button', { name: 'Rotate key' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click();
  await expect.poll(() => key.inputValue()).not.toBe(before);

  await renamed.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(renamed).toBeVisible();
  await renamed.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(renamed).toHaveCount(0);
});

test('disable and enable a livestream: the card says so and publishes are refused meanwhile', async ({ page, request }) => {
  await signIn(page, E2E_API_TOKEN);
  const card = await createFromDashboard(page, `e2e disable ${Date.now()}`);
  const id = await card.getAttribute('data-id');
  const key = await card.getByTestId('stream-key').inputValue();
  const offerWhip = () => request.post(`/whip/${id}`, { headers: { authorization: `Bearer ${key}`, 'content-type': 'application/sdp' }, data: 'v=0\r\n' });
  await expect(card.getByTestId('livestream-disabled')).toBeHidden();

  await card.getByRole('button', { name: 'Disable' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
  await expect(card.getByTestId('livestream-disabled')).toBeVisible();
  await expect(card).toHaveClass(/card-disabled/);
  const refused = await offerWhip();
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({ code: 'disabled', error: expect.any(String) });

  await card.getByRole('button', { name: 'Enable' }).click();
  await expect(card.getByTestId('livestream-disabled')).toBeHidden();
  await expect(card.getByRole('button', { name: 'Disable' })).toBeVisible();
  // Past the key check again: only the (deliberately empty) offer is refused now.
  expect((await offerWhip()).status()).toBe(400);
});

test('a recorded broadcast is listed on its card, replays, and can be deleted', async ({ page, context, request }) => {
  await signIn(page, E2E_API_TOKEN);
  const card = await createFromDashboard(page, `e2e recordings ${Date.now()}`);
  await expect(card).toContainText('Recording on');
  const id = await card.getAttribute('data-id');
  const recordings = card.getByTestId('recordings');
  await card.getByText('Recordings', { exact: true }).click();
  await expect(recordings).toContainText('No recordings yet');

  const studio = await context.newPage();
  await studio.goto((await card.getByRole('link', { name: 'Go live from browser' }).getAttribute('href'))!);
  await goLive(studio);
  await expect(card.getByTestId('livestream-status')).toHaveText('live', { timeout: 15_000 });
  // A few segments, so the replay has seconds to play.
  await expect.poll(() => listedSegments(request, id!), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  await studio.getByRole('button', { name: 'End stream' }).click();

  // The open list reads the recordings again once the card sees the broadcast end.
  const recording = recordings.getByTestId('recording');
  await expect(recording).toHaveCount(1, { timeout: 15_000 });
  await expect(card.getByText('Recordings (1)')).toBeVisible();
  await expect(recording.getByTestId('recording-duration')).toHaveText(/^\d+:\d\d$/);
  const watchHref = await recording.getByRole('link', { name: 'Watch' }).getAttribute('href');
  expect(watchHref).toContain(`/watch/${id}?recording=`);
  const replay = await context.newPage();
  await replay.goto(watchHref!);
  await expectPlayback(replay, 'hls');

  await recording.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(recording).toHaveCount(1);
  await recording.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(recording).toHaveCount(0);
  await expect(recordings).toContainText('No recordings yet');
  const listed = await (await request.get(`/api/livestreams/${id}/recordings`)).json();
  expect(listed).toEqual({ items: [] });
});
