import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/fixtures/chromium.js';
import { onCleanup } from './cleanup.js';

export interface BenchBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<BenchBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Viewer pages play unmuted without a click.
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
    headless: true,
  });
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      unregister();
      await browser.close();
    })());
  const unregister = onCleanup({ run: close });
  return { browser, close };
}
