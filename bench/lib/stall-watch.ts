import type { Page } from 'playwright-core';

/** What a page's video did since it first played: each `waiting` (a stall), in ms after that first play. */
interface StallLog {
  firstPlayingAt: number | null;
  waits: number[];
}

declare global {
  interface Window {
    __axonStalls?: StallLog;
  }
}

/** Page side: media events do not bubble, so they are caught on their way down. */
function watchStalls(): void {
  const log: StallLog = { firstPlayingAt: null, waits: [] };
  window.__axonStalls = log;
  document.addEventListener('playing', () => (log.firstPlayingAt ??= performance.now()), true);
  document.addEventListener('waiting', () => {
    if (log.firstPlayingAt !== null) log.waits.push(performance.now() - log.firstPlayingAt);
  }, true);
}

/** Watches the stalls of every video the page plays from its next navigation on. */
export async function watchPageStalls(page: Page): Promise<void> {
  await page.addInitScript(watchStalls);
}

/** Watches the stalls of the page as it is now (one built with setContent, which no init script reaches). */
export async function watchStallsNow(page: Page): Promise<void> {
  await page.evaluate(watchStalls);
}

/** How long ago the page's video first played (ms); null before it has. */
export function msSinceFirstPlay(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const log = window.__axonStalls;
    return log?.firstPlayingAt == null ? null : performance.now() - log.firstPlayingAt;
  });
}

/** When the stalls came, in ms after the first play; those in [fromMs, toMs) only. */
export async function stallsBetween(page: Page, fromMs: number, toMs: number): Promise<number[]> {
  const waits = await page.evaluate(() => window.__axonStalls?.waits ?? []);
  return waits.filter((t) => t >= fromMs && t < toMs);
}
