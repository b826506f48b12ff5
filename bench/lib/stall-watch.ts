import type { Page } from 'playwright-core';

/** A `waiting` event: when (ms after the first play), and what the video had then, to tell why. */
export interface Stall {
  atMs: number;
  currentTime: number;
  /** Seconds buffered ahead of currentTime in the range it is in (0 when it is in none). */
  aheadS: number;
  playbackRate: number;
}

/** What a page's video did since it first played: each `waiting` (a stall). */
interface StallLog {
  firstPlayingAt: number | null;
  waits: Stall[];
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
  document.addEventListener('waiting', (event) => {
    const video = event.target as HTMLVideoElement;
    if (log.firstPlayingAt === null) return;
    let aheadS = 0;
    for (let i = 0; i < video.buffered.length; i++) {
      if (video.buffered.start(i) <= video.currentTime && video.currentTime <= video.buffered.end(i)) aheadS = video.buffered.end(i) - video.currentTime;
    }
    log.waits.push({ atMs: performance.now() - log.firstPlayingAt, currentTime: video.currentTime, aheadS, playbackRate: video.playbackRate });
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

/** The stalls that came in [fromMs, toMs) after the first play. */
export async function stallsBetween(page: Page, fromMs: number, toMs: number): Promise<Stall[]> {
  const waits = await page.evaluate(() => window.__axonStalls?.waits ?? []);
  return waits.filter((w) => w.atMs >= fromMs && w.atMs < toMs);
}
