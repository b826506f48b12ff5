import { chromium, type Browser } from 'playwright-core';
import { onCleanup } from './cleanup.js';

/** The system Chromium (Playwright's own download is not reachable), with a fake camera and microphone. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

export interface BenchBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<BenchBrowser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
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
