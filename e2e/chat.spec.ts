import { expect, test, type Browser, type Page } from '@playwright/test';
import { createLivestream } from './fixtures/api.js';
import { E2E_BASE_URL } from './fixtures/env.js';
import { studioUrl } from './fixtures/studio.js';

/** A page in a browser context of its own (its own storage: its own chat name and participant id). */
async function newViewer(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: E2E_BASE_URL, permissions: ['camera', 'microphone'] });
  return context.newPage();
}

const messages = (page: Page) => page.getByTestId('chat-messages').locator('li');
const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

/** Sends a message; the first time, the panel asks for a name and sends once it has one. */
async function say(page: Page, text: string, name?: string): Promise<void> {
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-send').click();
  if (name !== undefined) {
    await expect(page.getByTestId('chat-name')).toBeVisible();
    await page.getByTestId('chat-name').fill(name);
    await page.getByTestId('chat-name').press('Enter');
  }
  await expect(page.getByTestId('chat-input')).toHaveValue('');
}

test.describe('live chat', () => {
  const pages: Page[] = [];
  test.afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
  });

  test('two viewers chat and react on /watch/:id, and markup stays text', async ({ browser, request }) => {
    const ls = await createLivestream(request, 'e2e chat');
    const alice = await newViewer(browser);
    const bob = await newViewer(browser);
    pages.push(alice, bob);
    await alice.goto(`/watch/${ls.id}`);
    await bob.goto(`/watch/${ls.id}`);
    for (const page of [alice, bob]) await expect(page.getByTestId('viewer-count')).toHaveText('2 watching');

    // Reading needs no name; the name is asked for on the first send only.
    await expect(alice.getByTestId('chat-name')).toBeHidden();
    await say(alice, 'hello from Alice', 'Alice');
    for (const page of [alice, bob]) {
      await expect(messages(page)).toHaveCount(1);
      await expect(messages(page).last().locator('.chat-author')).toHaveText('Alice');
      await expect(messages(page).last().locator('.chat-text')).toHaveText('hello from Alice');
    }
    await say(alice, 'no name asked twice');
    await expect(messages(bob)).toHaveCount(2);

    const markup = '<img src=x onerror="window.__pwned=1"><b>bold</b><script>window.__pwned=2</script>';
    await say(bob, markup, 'Bob');
    for (const page of [alice, bob]) {
      await expect(messages(page).last().locator('.chat-text')).toHaveText(markup);
      await expect(page.getByTestId('chat-messages').locator('img, b, script')).toHaveCount(0);
      expect(await pwned(page)).toBeUndefined();
    }

    // A reaction floats up on the other viewer's page.
    await alice.getByRole('button', { name: 'React fire' }).click();
    await expect(bob.getByTestId('reaction-floats').locator('.chat-float').first()).toHaveText('🔥');

    // A reload is a late joiner: it gets the history, still inert, and keeps its name.
    await bob.reload();
    await expect(messages(bob).locator('.chat-text')).toHaveText(['hello from Alice', 'no name asked twice', markup]);
    expect(await pwned(bob)).toBeUndefined();
    await say(bob, 'back again');
    await expect(messages(alice).last().locator('.chat-author')).toHaveText('Bob');
    await expect(alice.getByTestId('viewer-count')).toHaveText('2 watching');
  });

  test('the streamer deletes a message and bans its author from the studio', async ({ browser, request }) => {
    const ls = await createLivestream(request, 'e2e chat moderation');
    const viewer = await newViewer(browser);
    const studio = await newViewer(browser);
    pages.push(viewer, studio);
    await viewer.goto(`/watch/${ls.id}`);
    await say(viewer, 'buy cheap followers', 'Spammer');

    await studio.goto(studioUrl(ls));
    await expect(messages(studio).locator('.chat-text')).toHaveText(['buy cheap followers']);
    // The streamer is not a viewer.
    for (const page of [viewer, studio]) await expect(page.getByTestId('viewer-count')).toHaveText('1 watching');

    await studio.getByRole('button', { name: 'Delete message from Spammer' }).click();
    await expect(messages(viewer)).toHaveCount(0);
    await expect(messages(studio)).toHaveCount(0);

    await say(viewer, 'buy them now');
    await studio.getByRole('button', { name: 'Ban Spammer' }).click();
    await studio.getByRole('dialog').getByRole('button', { name: 'Ban' }).click();
    await expect(viewer.getByTestId('chat-status')).toHaveText('The streamer has stopped you from sending messages here.');
    await expect(viewer.getByTestId('chat-send')).toBeDisabled();
    await expect(viewer.getByRole('button', { name: 'React fire' })).toBeDisabled();
    // Still banned after a reload: the page keeps its participant id.
    await viewer.reload();
    await viewer.getByTestId('chat-input').fill('let me back in');
    await viewer.getByTestId('chat-send').click();
    await expect(viewer.getByTestId('chat-status')).toHaveText('The streamer has stopped you from sending messages here.');
    await expect(messages(studio).locator('.chat-text')).toHaveText(['buy them now']);
  });
});
