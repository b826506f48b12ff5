import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
// Declares window.__axonPlayer for the page functions below.
import type {} from '../../client/src/player/player-handle.js';
import { NAME_SHIM } from './canvas-clock.js';

/** hls.js as Axon's player configured it before LL-HLS: the standard-HLS viewer low-latency ones are compared with. */
export const STANDARD_HLS_CONFIG = { lowLatencyMode: false, liveSyncDuration: 3, liveMaxLatencyDuration: 8, maxLiveSyncPlaybackRate: 1.2, backBufferLength: 30 };
const HLS_JS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'hls.js', 'dist', 'hls.min.js');

/**
 * A bare page (about:blank: Axon's pages forbid inline scripts) with hls.js in its standard (not
 * low-latency) mode on a live master playlist, which the origin serves to any site. `beforeLoad` runs in
 * the page before hls.js loads the stream (no navigation follows, so init scripts never run there).
 */
export async function openStandardHlsPage(context: BrowserContext, masterUrl: string, beforeLoad?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await context.newPage();
  await page.setContent('<video muted autoplay playsinline width="640" height="360"></video>');
  await page.evaluate(NAME_SHIM);
  await beforeLoad?.(page);
  await page.addScriptTag({ path: HLS_JS });
  await page.evaluate(
    ({ url, config }) => {
      const video = document.querySelector('video')!;
      const HlsClass = (window as unknown as { Hls: typeof import('hls.js').default }).Hls;
      const hls = new HlsClass(config);
      hls.loadSource(url);
      hls.attachMedia(video);
      window.__axonPlayer = { engine: 'hls', hls, video };
    },
    { url: masterUrl, config: STANDARD_HLS_CONFIG },
  );
  return page;
}
