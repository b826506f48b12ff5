import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/fixtures/chromium.js';
import type { Livestream } from '../../shared/livestream.js';
import { startAxonServer, type AxonServer } from './axon-server.js';
import { onCleanup } from './cleanup.js';

interface BenchBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** `extraArgs` come last: a switch given again (e.g. the fake camera's with `=fps=30`) takes their value. */
async function launchChromium(extraArgs: readonly string[] = []): Promise<BenchBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Viewer pages play unmuted without a click.
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required', ...extraArgs],
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

/** One run of a browser benchmark: a fresh Axon server, and browser contexts that end with the run. */
export interface BrowserRun {
  server: AxonServer;
  /** A context (a window) of its own, closed when the run ends, before its server stops. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/** Where a run's server runs and how browsers reach it. */
export interface ServerTarget {
  start(): Promise<AxonServer>;
  /** Options every context of the run gets (e.g. accepting a test CA's certificate). */
  contextOptions?: BrowserContextOptions;
}

/** A server on this machine's loopback, over plain HTTP: what most benchmarks measure. */
export const LOOPBACK: ServerTarget = { start: () => startAxonServer() };

export async function runAgainstFreshServer<T>(
  browser: Browser,
  index: number,
  oneRun: (run: BrowserRun, index: number) => Promise<T>,
  target: ServerTarget = LOOPBACK,
): Promise<T> {
  const server = await target.start();
  const contexts: BrowserContext[] = [];
  const newContext = async (options?: BrowserContextOptions) => {
    const context = await browser.newContext({ ...target.contextOptions, ...options });
    contexts.push(context);
    return context;
  };
  try {
    return await oneRun({ server, newContext }, index);
  } finally {
    for (const context of contexts) await context.close();
    await server.stop();
  }
}

/**
 * Runs 1 to `runs` one after the other in one Chromium, each against a fresh Axon server. Whether a run
 * succeeds or fails, its contexts are closed and then its server stopped; Chromium is closed last.
 */
export function runInChromium<T>(runs: number, oneRun: (run: BrowserRun, index: number) => Promise<T>, extraArgs: readonly string[] = []): Promise<T[]> {
  return withChromium(async (browser) => {
    const results: T[] = [];
    for (let i = 1; i <= runs; i++) results.push(await runAgainstFreshServer(browser, i, oneRun));
    return results;
  }, extraArgs);
}

/** One Chromium for `use`, closed when it is done, whether it succeeded or failed. */
export async function withChromium<T>(use: (browser: Browser) => Promise<T>, extraArgs: readonly string[] = []): Promise<T> {
  const chromium = await launchChromium(extraArgs);
  try {
    return await use(chromium.browser);
  } finally {
    await chromium.close();
  }
}

/**
 * Opens the studio of `livestream`, its stream key in the fragment as the dashboard's link has it, in a
 * context of its own where the camera and microphone are allowed. `beforeLoad` prepares the page first
 * (init scripts).
 */
export async function openStudio(run: BrowserRun, livestream: Livestream, beforeLoad?: (studio: Page) => Promise<void>): Promise<Page> {
  const publisher = await run.newContext({ permissions: ['camera', 'microphone'] });
  const studio = await publisher.newPage();
  await beforeLoad?.(studio);
  await studio.goto(`${run.server.baseUrl}/studio/${livestream.id}#key=${encodeURIComponent(livestream.streamKey)}`);
  return studio;
}
